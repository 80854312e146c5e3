using Toolchain.Inference.Cli.Charts;

namespace Toolchain.Inference.Cli.Tests.Charts;

public sealed class SamplesChartTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("samples-chart-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static LabelledImage Bar(int label, int predicted)
    {
        var pixels = new byte[28 * 28];
        for (var r = 4; r < 24; r++)
        {
            pixels[r * 28 + 10 + label] = 255;
        }
        return new LabelledImage(pixels, 28, 28, label, predicted);
    }

    [Fact]
    public void Save_writes_a_png_with_one_panel_per_image()
    {
        var path = Path.Combine(_dir, "samples.png");

        SamplesChart.Save(path, [Bar(0, 0), Bar(1, 1), Bar(2, 7)], ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], "Samples");

        Assert.Equal(ConfusionChartTests.PngSignature, File.ReadAllBytes(path)[..8]);
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void A_wrong_prediction_is_marked_as_not_correct()
    {
        Assert.False(Bar(2, 7).IsCorrect);
        Assert.True(Bar(2, 2).IsCorrect);
    }

    [Fact]
    public void Save_refuses_an_image_whose_pixel_count_does_not_match_its_size()
    {
        var path = Path.Combine(_dir, "samples.png");

        Assert.Throws<ArgumentException>(() => SamplesChart.Save(path, [new LabelledImage(new byte[10], 28, 28, 0, 0)], ["0"], "t"));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Save_refuses_an_empty_list()
    {
        Assert.Throws<ArgumentException>(() => SamplesChart.Save(Path.Combine(_dir, "s.png"), [], ["0"], "t"));
    }
}
