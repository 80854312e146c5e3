namespace Toolchain.Inference.Cli.Benchmarking;

/// <summary>Percentiles of a set of timings, in milliseconds.</summary>
internal sealed record LatencyStats(int Samples, double MeanMs, double P50Ms, double P99Ms)
{
    public static LatencyStats FromSeconds(IReadOnlyList<double> seconds)
    {
        if (seconds.Count == 0)
        {
            return new LatencyStats(0, 0, 0, 0);
        }
        var sorted = seconds.Order().ToArray();
        return new LatencyStats(sorted.Length, sorted.Average() * 1000, Percentile(sorted, 0.50) * 1000, Percentile(sorted, 0.99) * 1000);
    }

    /// <summary>Linear interpolation between closest ranks, as numpy's default percentile.</summary>
    internal static double Percentile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }
}
