namespace Toolchain.Inference.Cli.Tests.Output;

/// <summary>
/// Every infer command with --out (issue 21, item 9): an empty path or one that cannot be created is one line, and a
/// run that fails leaves no empty folder behind.
/// </summary>
public sealed class OutputFolderTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>The command's words with OUT where --out goes; each fails (bad model, dataset or range) after --out is checked.</summary>
    private string[] FailingCommand(string command, string outPath) => command switch
    {
        "export" => ["export", "triton", "--model", _files.Bytes("empty.onnx", []), "--out", outPath],
        "bench" => ["bench", "--model", _files.Bytes("empty.onnx", []), "--out", outPath],
        "images" => ["images", "--dataset", _files.IdxDataset("idx"), "--start", "99999", "--count", "1", "--out", outPath],
        _ => ["eval", "--provider", "cpu", "--model", _files.ImageModel(), "--dataset", _files.PathOf("no-such-dataset"), "--out", outPath],
    };

    [Theory]
    [InlineData("export")]
    [InlineData("bench")]
    [InlineData("images")]
    [InlineData("eval")]
    public void A_failed_run_leaves_no_empty_out_folder_nor_the_folders_it_made_above(string command)
    {
        var outPath = _files.PathOf("made/for/this");

        var r = CliRun.Infer(FailingCommand(command, outPath));

        Assert.Equal(1, r.ExitCode);
        Assert.Single(r.ErrorLines);
        Assert.False(Directory.Exists(_files.PathOf("made")), $"{command} left {_files.PathOf("made")}");
    }

    [Theory]
    [InlineData("export")]
    [InlineData("bench")]
    [InlineData("images")]
    [InlineData("eval")]
    public void A_failed_run_keeps_an_out_folder_that_was_there(string command)
    {
        var outPath = _files.PathOf("mine");
        Directory.CreateDirectory(outPath);

        var r = CliRun.Infer(FailingCommand(command, outPath));

        Assert.Equal(1, r.ExitCode);
        Assert.True(Directory.Exists(outPath));
    }

    [Theory]
    [InlineData("export", "", "infer: --out needs a path, not an empty string")]
    [InlineData("bench", "", "infer: --out needs a path, not an empty string")]
    [InlineData("images", "", "infer: --out needs a path, not an empty string")]
    [InlineData("eval", "", "infer: --out needs a path, not an empty string")]
    [InlineData("export", "/proc/x", "infer: output folder '/proc/x' is not writable (files cannot be created in it)")]
    [InlineData("bench", "/proc/x", "infer: output folder '/proc/x' is not writable (files cannot be created in it)")]
    [InlineData("images", "/proc/x", "infer: output folder '/proc/x' is not writable (files cannot be created in it)")]
    [InlineData("eval", "/proc/x", "infer: output folder '/proc/x' is not writable (files cannot be created in it)")]
    public void An_empty_or_uncreatable_out_is_one_line_in_words(string command, string outPath, string line)
    {
        var r = CliRun.Infer(FailingCommand(command, outPath));

        Assert.Equal(1, r.ExitCode);
        Assert.Equal(line, Assert.Single(r.ErrorLines));
    }
}
