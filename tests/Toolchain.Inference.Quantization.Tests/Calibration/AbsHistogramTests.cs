using Toolchain.Inference.Quantization.Calibration;

namespace Toolchain.Inference.Quantization.Tests.Calibration;

public sealed class AbsHistogramTests
{
    [Fact]
    public void PercentileOfUniformValuesIsThatShareOfTheRange()
    {
        var values = Enumerable.Range(0, 100_000).Select(i => i / 100_000f).ToArray();
        var histogram = new AbsHistogram(1f);
        histogram.Add(values);

        Assert.InRange(histogram.Percentile(0.5), 0.499f, 0.502f);
        Assert.InRange(histogram.Percentile(0.99999), 0.999f, 1f);
    }

    [Fact]
    public void EntropyClipsARareFarTailButKeepsTheBulk()
    {
        // The bulk in [0, 1], a handful of outliers at 100: min-max would spend all but one of 128 levels on nothing.
        var rng = new Random(0);
        var values = Enumerable.Range(0, 200_000).Select(_ => (float)rng.NextDouble()).Concat(Enumerable.Repeat(100f, 5)).ToArray();
        var histogram = new AbsHistogram(100f);
        histogram.Add(values);

        var threshold = histogram.EntropyThreshold(unsigned: true);

        Assert.InRange(threshold, 0.9f, 10f);
    }

    [Fact]
    public void EntropyKeepsTheWholeRangeOfEvenlySpreadValues()
    {
        var values = Enumerable.Range(0, 100_000).Select(i => i / 1000f).ToArray();
        var histogram = new AbsHistogram(100f);
        histogram.Add(values);

        Assert.InRange(histogram.EntropyThreshold(unsigned: true), 90f, 100f);
    }

    [Fact]
    public void TheZerosOfAReluDoNotPullTheThresholdDown()
    {
        // Half the values are exactly 0 (a ReLU's output): counted as they are, that spike alone would make the
        // smallest candidate (128 of 2048 bins, 6% of the range) look best.
        var rng = new Random(1);
        var values = Enumerable.Range(0, 200_000).Select(i => i % 2 == 0 ? 0f : (float)rng.NextDouble()).ToArray();
        var histogram = new AbsHistogram(1f);
        histogram.Add(values);

        Assert.InRange(histogram.EntropyThreshold(unsigned: true), 0.9f, 1f);
    }

    [Fact]
    public void NaNsAreSkippedAndAnEmptyHistogramKeepsItsLimit()
    {
        var histogram = new AbsHistogram(4f);
        histogram.Add([float.NaN, float.NaN]);

        Assert.Equal(4f, histogram.Percentile(0.5));
        Assert.Equal(4f, histogram.EntropyThreshold(unsigned: false));
    }
}
