namespace Toolchain.Inference.Cli.Tests.Commands;

/// <summary>--data-root is declared once (IDataRootOption) and means the same in every command that reads a dataset.</summary>
public sealed class DataRootOptionTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData("images")]
    [InlineData("eval")]
    [InlineData("eval-all")]
    [InlineData("bench")]
    public void Every_dataset_command_lists_it_once_with_its_default(string command)
    {
        var r = CliRun.Infer(command, "--help");

        Assert.Equal(0, r.ExitCode);
        var line = Assert.Single(r.OutLines, l => l.TrimStart().StartsWith("--data-root", StringComparison.Ordinal));
        Assert.EndsWith("Folder holding the datasets (default: $TOOLCHAIN_DATA, else ./data).", line);
    }

    [Fact]
    public void A_catalog_name_is_looked_for_in_the_folder_it_names()
    {
        var root = _files.PathOf("data");
        Directory.CreateDirectory(root);

        var r = CliRun.Infer("images", "--dataset", "mnist", "--data-root", root, "--out", _files.PathOf("pngs"));

        Assert.Equal(1, r.ExitCode);
        r.AssertOneErrorLineNaming("mnist", Path.Combine(root, "mnist"));
    }
}
