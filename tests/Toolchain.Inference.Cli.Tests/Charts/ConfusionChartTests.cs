using Toolchain.Data.Metrics;
using Toolchain.Inference.Cli.Charts;

namespace Toolchain.Inference.Cli.Tests.Charts;

public sealed class ConfusionChartTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("confusion-chart-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Save_writes_a_png_and_leaves_no_temporary_file()
    {
        var path = Path.Combine(_dir, "confusion.png");
        var m = ConfusionMatrix.FromCounts(new long[,] { { 5, 1, 0 }, { 0, 7, 2 }, { 1, 0, 9 } });

        ConfusionChart.Save(path, m, ["zero", "one", "two"], "Confusion matrix");

        var bytes = File.ReadAllBytes(path);
        Assert.Equal(PngSignature, bytes[..8]);
        Assert.Equal(["confusion.png"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Save_refuses_a_class_name_list_of_the_wrong_length()
    {
        var path = Path.Combine(_dir, "confusion.png");

        Assert.Throws<ArgumentException>(() => ConfusionChart.Save(path, new ConfusionMatrix(3), ["a"], "t"));
        Assert.False(File.Exists(path));
    }

    internal static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
}
