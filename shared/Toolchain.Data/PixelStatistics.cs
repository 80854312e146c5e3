namespace Toolchain.Data;

/// <summary>Mean and standard deviation of a split's pixels scaled to [0, 1]: what the trainer normalises with.</summary>
/// <param name="Mean">Mean pixel value / 255.</param>
/// <param name="Std">Sample standard deviation (n − 1, as <c>torch.Tensor.std</c>) of pixel value / 255.</param>
public readonly record struct PixelStatistics(double Mean, double Std)
{
    /// <summary>
    /// The statistics of every pixel of <paramref name="set"/>. Sums are kept as exact integers, so the result does
    /// not depend on summation order and is the same on every machine.
    /// </summary>
    public static PixelStatistics Compute(ImageSet set) => Compute(set, 0, set.Channels);

    /// <summary>
    /// The statistics of each channel of <paramref name="set"/> (images are channel-major), one per channel, as
    /// torchvision users compute <c>Normalize</c>'s mean and std.
    /// </summary>
    public static PixelStatistics[] PerChannel(ImageSet set) =>
        Enumerable.Range(0, set.Channels).Select(c => Compute(set, c, 1)).ToArray();

    private static PixelStatistics Compute(ImageSet set, int firstChannel, int channels)
    {
        int plane = set.Rows * set.Cols;
        long n = (long)set.Count * plane * channels;
        if (n < 2)
        {
            throw new ArgumentException("need at least two pixels", nameof(set));
        }
        long sum = 0;
        long sumSquares = 0;
        for (int i = 0; i < set.Count; i++)
        {
            foreach (var p in set.Pixels.AsSpan((i * set.ImageSize) + (firstChannel * plane), channels * plane))
            {
                sum += p;
                sumSquares += p * p;
            }
        }
        var mean = (double)sum / n / 255.0;
        // n·Σx² − (Σx)² exactly, then one rounding into double.
        var numerator = (Int128)sumSquares * n - (Int128)sum * sum;
        var variance = (double)numerator / ((double)n * (n - 1)) / (255.0 * 255.0);
        return new PixelStatistics(mean, Math.Sqrt(variance));
    }
}
