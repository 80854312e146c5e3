using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Quantization.Measuring;

/// <summary>How closely a quantized model answers like its float32 model, example by example.</summary>
/// <param name="Examples">Examples compared.</param>
/// <param name="Top1">Share of them on which both pick the same class.</param>
/// <param name="MaxProbabilityDifference">The largest difference of any class probability.</param>
public sealed record Agreement(int Examples, double Top1, double MaxProbabilityDifference)
{
    /// <summary>The most examples compared.</summary>
    public const int MaxExamples = 1000;

    /// <summary>Compares <paramref name="baseline"/> and <paramref name="candidate"/> on up to <see cref="MaxExamples"/> of <paramref name="examples"/>.</summary>
    public static Agreement Of(OnnxModel baseline, OnnxModel candidate, ReadOnlySpan<float> examples)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(candidate);
        var width = baseline.FeatureCount;
        var count = Math.Min(MaxExamples, examples.Length / width);
        var classes = baseline.ClassCount;
        int same = 0;
        double worst = 0;
        const int batch = 64;
        var a = new float[batch * classes];
        var b = new float[batch * classes];
        for (var start = 0; start < count; start += batch)
        {
            var n = Math.Min(batch, count - start);
            var inputs = examples.Slice(start * width, n * width);
            baseline.RunProbabilities(inputs, n, a.AsSpan(0, n * classes));
            candidate.RunProbabilities(inputs, n, b.AsSpan(0, n * classes));
            for (var i = 0; i < n; i++)
            {
                var rowA = a.AsSpan(i * classes, classes);
                var rowB = b.AsSpan(i * classes, classes);
                same += ArgMax(rowA) == ArgMax(rowB) ? 1 : 0;
                for (var c = 0; c < classes; c++)
                {
                    worst = Math.Max(worst, Math.Abs(rowA[c] - rowB[c]));
                }
            }
        }
        return new Agreement(count, count == 0 ? 0 : (double)same / count, worst);
    }

    /// <summary>The predicted class of one row: the index of its largest value, the first one on ties (as OnnxModel.Classify).</summary>
    private static int ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var c = 1; c < row.Length; c++)
        {
            if (row[c] > row[best])
            {
                best = c;
            }
        }
        return best;
    }
}
