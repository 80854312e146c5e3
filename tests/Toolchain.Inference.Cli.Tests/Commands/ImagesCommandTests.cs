using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Toolchain.Inference.Cli.Tests.Commands;

public sealed class ImagesCommandTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Images_writes_the_requested_range_as_pngs_that_hold_the_dataset_pixels()
    {
        var dataset = _files.IdxDataset("bands");
        var outDir = _files.PathOf("pngs");

        var r = CliRun.Infer("images", "--dataset", dataset, "--start", "3", "--count", "2", "--out", outDir);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal([Path.Combine(outDir, "test-00003-3.png"), Path.Combine(outDir, "test-00004-4.png")], r.OutLines);
        using var image = Image.Load<L8>(Path.Combine(outDir, "test-00004-4.png"));
        Assert.Equal((28, 28), (image.Width, image.Height));
        var pixels = new byte[28 * 28];
        image.CopyPixelDataTo(pixels);
        Assert.Equal(TestFiles.BandPixels(4), pixels);
    }

    [Fact]
    public void Images_classified_by_infer_come_back_as_their_file_names_say()
    {
        var dataset = _files.IdxDataset("bands");
        var model = _files.ImageModel();
        var outDir = _files.PathOf("pngs");
        Assert.Equal(0, CliRun.Infer("images", "--dataset", dataset, "--count", "4", "--out", outDir).ExitCode);

        var r = CliRun.Infer("classify", "--model", model, "--raw", outDir);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(4, r.OutLines.Length);
        foreach (var line in r.OutLines)
        {
            var fields = line.Split('\t');
            var label = Path.GetFileNameWithoutExtension(fields[0]).Split('-')[^1];
            Assert.Equal($"digit {label}", fields[1]);
        }
    }

    [Theory]
    [InlineData("--start", "40", "the test split has images 0..19; cannot write 10 from 40")]
    [InlineData("--count", "0", "cannot write 0 from 0")]
    [InlineData("--split", "val", "--split must be train or test, not 'val'")]
    public void Images_refuses_a_range_or_split_that_does_not_exist_with_one_line_and_writes_nothing(string option, string value, string message)
    {
        var dataset = _files.IdxDataset("bands");
        var outDir = _files.PathOf("pngs");

        var r = CliRun.Infer("images", "--dataset", dataset, option, value, "--out", outDir);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains(message, Assert.Single(r.ErrorLines));
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void Images_asked_for_more_than_the_split_holds_writes_the_rest_says_so_on_stderr_and_exits_0()
    {
        var dataset = _files.IdxDataset("bands");
        var outDir = _files.PathOf("pngs");

        var r = CliRun.Infer("images", "--dataset", dataset, "--start", "18", "--count", "10", "--out", outDir);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal([Path.Combine(outDir, "test-00018-8.png"), Path.Combine(outDir, "test-00019-9.png")], r.OutLines);
        r.AssertOneErrorLineNaming("only 2", "18", "20");
        Assert.Equal(2, Directory.GetFiles(outDir).Length);
    }

    [Fact]
    public void Images_with_out_naming_an_existing_file_fails_with_one_line_and_leaves_the_file_alone()
    {
        var dataset = _files.IdxDataset("bands");
        var file = _files.Text("taken", "mine\n");

        var r = CliRun.Infer("images", "--dataset", dataset, "--out", file);

        Assert.Equal(1, r.ExitCode);
        r.AssertOneErrorLineNaming($"--out {file}", "not a folder");
        Assert.Equal("mine\n", File.ReadAllText(file));
    }

    [Fact]
    public void Images_with_out_under_an_existing_file_names_the_file_in_its_one_line()
    {
        var dataset = _files.IdxDataset("bands");
        var file = _files.Text("taken", "mine\n");
        var under = Path.Combine(file, "pngs");

        var r = CliRun.Infer("images", "--dataset", dataset, "--out", under);

        Assert.Equal(1, r.ExitCode);
        r.AssertOneErrorLineNaming($"--out {under}", file, "not a folder");
    }
}
