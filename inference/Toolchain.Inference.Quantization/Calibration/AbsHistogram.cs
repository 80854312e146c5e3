namespace Toolchain.Inference.Quantization.Calibration;

/// <summary>
/// A histogram of |x| over [0, <see cref="Limit"/>] in <see cref="Bins"/> equal bins, from which the percentile and
/// entropy methods choose a clipping threshold (TensorRT's calibration: 2048 bins, 128 quantized levels).
/// </summary>
internal sealed class AbsHistogram(float limit, int bins = AbsHistogram.DefaultBins)
{
    /// <summary>Bins of the histogram.</summary>
    public const int DefaultBins = 2048;

    /// <summary>Levels a threshold is judged by: 8-bit values of one sign.</summary>
    public const int QuantizedBins = 128;

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
    /// The threshold whose <see cref="QuantizedBins"/>-level quantization of the values below it (the ones above
    /// clamped into the last level) diverges least from the observed distribution, by Kullback-Leibler divergence:
    /// TensorRT's entropy calibration.
    /// </summary>
    public float EntropyThreshold()
    {
        if (_counts.Sum() == 0 || Bins <= QuantizedBins)
        {
            return Limit;
        }
        var best = double.PositiveInfinity;
        var bestBins = Bins;
        var p = new double[Bins];
        var q = new double[Bins];
        for (var i = QuantizedBins; i <= Bins; i++)
        {
            var kl = Divergence(i, p, q);
            if (kl < best)
            {
                best = kl;
                bestBins = i;
            }
        }
        return (float)Math.Min(Limit, (bestBins + 0.5) * Width);
    }

    /// <summary>KL(P‖Q) of the first <paramref name="i"/> bins (P with the outliers folded into its last bin, Q its 128-level quantization).</summary>
    private double Divergence(int i, double[] p, double[] q)
    {
        long outliers = 0;
        for (var k = i; k < Bins; k++)
        {
            outliers += _counts[k];
        }
        for (var k = 0; k < i; k++)
        {
            p[k] = _counts[k];
            q[k] = 0;
        }
        p[i - 1] += outliers;
        var merged = i / QuantizedBins;
        for (var j = 0; j < QuantizedBins; j++)
        {
            var start = j * merged;
            var end = j == QuantizedBins - 1 ? i : start + merged;
            double sum = 0;
            var nonZero = 0;
            for (var k = start; k < end; k++)
            {
                sum += _counts[k];
                nonZero += p[k] != 0 ? 1 : 0;
            }
            if (nonZero == 0)
            {
                continue;
            }
            for (var k = start; k < end; k++)
            {
                q[k] = p[k] != 0 ? sum / nonZero : 0;
            }
        }
        if (!Smooth(p, i) || !Smooth(q, i))
        {
            return double.PositiveInfinity;
        }
        double kl = 0;
        for (var k = 0; k < i; k++)
        {
            if (p[k] > 0)
            {
                kl += p[k] * Math.Log(p[k] / q[k]);
            }
        }
        return kl;
    }

    /// <summary>
    /// Normalises the first <paramref name="n"/> entries to a distribution and moves a little mass (1e-4 each) onto
    /// its empty bins, so that the divergence stays finite; false when it is all zeros.
    /// </summary>
    private static bool Smooth(double[] d, int n)
    {
        double total = 0;
        var zeros = 0;
        for (var k = 0; k < n; k++)
        {
            total += d[k];
            zeros += d[k] == 0 ? 1 : 0;
        }
        if (total <= 0 || zeros == n)
        {
            return false;
        }
        const double eps = 1e-4;
        var take = eps * zeros / (n - zeros);
        for (var k = 0; k < n; k++)
        {
            d[k] = d[k] == 0 ? eps : Math.Max((d[k] / total) - take, eps * 0.5);
        }
        return true;
    }
}
