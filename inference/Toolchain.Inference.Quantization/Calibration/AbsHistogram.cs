namespace Toolchain.Inference.Quantization.Calibration;

/// <summary>
/// A histogram of |x| over [0, <see cref="Limit"/>] in <see cref="Bins"/> equal bins, from which the percentile and
/// entropy methods choose a clipping threshold (TensorRT's calibration: 2048 bins, 128 quantized levels).
/// </summary>
internal sealed class AbsHistogram(float limit, int bins = AbsHistogram.DefaultBins)
{
    /// <summary>Bins of the histogram.</summary>
    public const int DefaultBins = 2048;

    /// <summary>The fewest bins a threshold may keep (TensorRT's and pytorch-quantization's start).</summary>
    public const int QuantizedBins = 128;

    /// <summary>The probability an empty bin of the quantized distribution is given (TensorRT's smoothing).</summary>
    private const double Epsilon = 1e-4;

    private readonly long[] _counts = new long[bins];

    public float Limit { get; } = limit;

    public int Bins { get; } = bins;

    private double Width => Limit / Bins;

    /// <summary>Counts every value of <paramref name="values"/> (NaNs are skipped).</summary>
    public void Add(ReadOnlySpan<float> values)
    {
        if (!(Limit > 0))
        {
            return;
        }
        var scale = Bins / (double)Limit;
        foreach (var v in values)
        {
            var a = Math.Abs(v);
            if (float.IsNaN(a))
            {
                continue;
            }
            _counts[Math.Min(Bins - 1, (int)(a * scale))]++;
        }
    }

    /// <summary>The smallest bin edge below which <paramref name="fraction"/> of the values lie.</summary>
    public float Percentile(double fraction)
    {
        var total = _counts.Sum();
        if (total == 0)
        {
            return Limit;
        }
        long seen = 0;
        for (var i = 0; i < Bins; i++)
        {
            seen += _counts[i];
            if (seen >= fraction * total)
            {
                return (float)((i + 1) * Width);
            }
        }
        return Limit;
    }

    /// <summary>
    /// The threshold whose 8-bit quantization of the values below it (the ones above clamped into the last level)
    /// diverges least from the observed distribution, by Kullback-Leibler divergence: TensorRT's entropy calibration as
    /// NVIDIA's pytorch-quantization computes it. Candidates start at 128 bins; the first bin takes its neighbour's count,
    /// so that the zeros a ReLU makes do not pull the threshold down to the smallest candidate; an
    /// <paramref name="unsigned"/> tensor (nothing below 0) has 255 levels above zero, a signed one 127 each side.
    /// </summary>
    public float EntropyThreshold(bool unsigned)
    {
        var bins = (long[])_counts.Clone();
        if (Bins > 1)
        {
            bins[0] = bins[1];
        }
        if (bins.Sum() == 0 || Bins <= QuantizedBins)
        {
            return Limit;
        }
        var levels = unsigned ? 255 : 127;
        var best = double.PositiveInfinity;
        var bestBins = Bins;
        var p = new double[Bins];
        var q = new double[Bins];
        var levelSum = new double[levels];
        var levelNonZero = new int[levels];
        for (var i = QuantizedBins; i <= Bins; i++)
        {
            var kl = Divergence(bins, i, levels, p, q, levelSum, levelNonZero);
            if (kl < best)
            {
                best = kl;
                bestBins = i;
            }
        }
        return (float)Math.Min(Limit, bestBins * Width);
    }

    /// <summary>
    /// KL(P‖Q) over the first <paramref name="i"/> bins: P the counts with the ones beyond folded into its last bin, Q
    /// the same counts merged into <paramref name="levels"/> levels and spread back evenly over each level's non-empty bins.
    /// </summary>
    private static double Divergence(long[] bins, int i, int levels, double[] p, double[] q, double[] levelSum, int[] levelNonZero)
    {
        Array.Clear(levelSum);
        Array.Clear(levelNonZero);
        double outliers = 0;
        for (var k = i; k < bins.Length; k++)
        {
            outliers += bins[k];
        }
        for (var k = 0; k < i; k++)
        {
            if (bins[k] != 0)
            {
                var level = (int)((long)k * levels / i);
                levelSum[level] += bins[k];
                levelNonZero[level]++;
            }
        }
        double pTotal = 0, qTotal = 0;
        for (var k = 0; k < i; k++)
        {
            var level = (int)((long)k * levels / i);
            p[k] = bins[k];
            q[k] = bins[k] != 0 ? levelSum[level] / levelNonZero[level] : 0;
            qTotal += q[k];
        }
        p[i - 1] += outliers;
        for (var k = 0; k < i; k++)
        {
            pTotal += p[k];
        }
        if (pTotal <= 0 || qTotal <= 0)
        {
            return double.PositiveInfinity;
        }
        double kl = 0;
        for (var k = 0; k < i; k++)
        {
            if (p[k] <= 0)
            {
                continue;
            }
            // Q is empty only where P holds nothing but the folded-in outliers: as TensorRT smooths, a small mass stands
            // in, so that clipping a gap before a handful of outliers is judged, not ruled out.
            var qk = q[k] > 0 ? q[k] / qTotal : Epsilon;
            var pk = p[k] / pTotal;
            kl += pk * Math.Log(pk / qk);
        }
        return kl;
    }
}
