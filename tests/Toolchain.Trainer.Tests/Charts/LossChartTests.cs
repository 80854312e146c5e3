using Toolchain.TestSupport;
using Toolchain.Trainer.Charts;

namespace Toolchain.Trainer.Tests.Charts;

public sealed class LossChartTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_loss_chart_is_a_png_of_the_chart_size()
    {
        var path = _dir.File("loss.png");
        LossChart.Save(path, [0, 1, 2, 3], [2.3, 0.5, 0.3, 0.2], [2.3, 0.4, 0.35, 0.3], "mlp on mnist-sample");
        Assert.Equal((LossChart.Width, LossChart.Height), TestImages.PngSize(path));
        Assert.Empty(Directory.GetFiles(_dir.Path, ".*"));
    }

    [Fact]
    public void The_loss_chart_refuses_series_of_different_lengths_and_writes_nothing()
    {
        var path = _dir.File("loss.png");
        Assert.Throws<ArgumentException>(() => LossChart.Save(path, [0, 1], [1, 2, 3], [1, 2], "t"));
        Assert.False(File.Exists(path));
    }
}
