using Toolchain.Data;

namespace Toolchain.Data.Tests;

public sealed class PixelStatisticsTests
{
    [Fact]
    public void Mean_and_sample_std_are_of_pixels_scaled_to_the_unit_interval()
    {
        var set = new ImageSet([0, 255, 0, 255], [0, 1], 2, 1, 2);

        var stats = PixelStatistics.Compute(set);

        Assert.Equal(0.5, stats.Mean);
        // Values 0, 1, 0, 1: sum of squared deviations 1, over n - 1 = 3.
        Assert.Equal(Math.Sqrt(1.0 / 3.0), stats.Std, 15);
    }

    [Fact]
    public void Counts_per_class_cover_every_label()
    {
        var set = new ImageSet(new byte[5], [2, 0, 2, 2, 1], 5, 1, 1);

        Assert.Equal([1, 1, 3, 0], set.CountPerClass(4));
    }
}
