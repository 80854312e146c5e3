using System.Diagnostics;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Quantization.Measuring;

/// <summary>Throughputs of one model at one batch size over several rounds, in examples per second.</summary>
/// <param name="Rounds">One figure per round, in the order measured.</param>
public sealed record Throughput(IReadOnlyList<double> Rounds)
{
    /// <summary>The median round.</summary>
    public double Median => Rounds.Count == 0 ? 0 : Rounds.Order().ElementAt(Rounds.Count / 2);

    /// <summary>The slowest round.</summary>
    public double Min => Rounds.Count == 0 ? 0 : Rounds.Min();

    /// <summary>The fastest round.</summary>
    public double Max => Rounds.Count == 0 ? 0 : Rounds.Max();
}

/// <summary>Two models timed at one batch size in the same interleaved rounds.</summary>
/// <param name="BatchSize">Examples per call.</param>
/// <param name="Baseline">The first model (the float32 one).</param>
/// <param name="Candidate">The second model (the quantized one).</param>
public sealed record BatchComparison(int BatchSize, Throughput Baseline, Throughput Candidate)
{
    /// <summary>The candidate's throughput over the baseline's, the median of the per-round ratios.</summary>
    public double Speedup => Baseline.Rounds.Zip(Candidate.Rounds, (b, c) => b > 0 ? c / b : 0).Order().ElementAtOrDefault(Baseline.Rounds.Count / 2);

    /// <summary>The smallest and largest per-round ratio: how far the drift of the machine moved the speed-up.</summary>
    public (double Min, double Max) SpeedupRange
    {
        get
        {
            var ratios = Baseline.Rounds.Zip(Candidate.Rounds, (b, c) => b > 0 ? c / b : 0).ToList();
            return ratios.Count == 0 ? (0, 0) : (ratios.Min(), ratios.Max());
        }
    }
}

/// <summary>
/// Times two loaded models on the same examples in alternating rounds (A then B, then B then A, ...), so that both
/// see the same drift of a shared machine, whose absolute speeds move by a third from minute to minute.
/// </summary>
public static class SpeedComparison
{
    /// <summary>
    /// Compares <paramref name="baseline"/> and <paramref name="candidate"/> at each of <paramref name="batchSizes"/>
    /// over <paramref name="rounds"/> rounds of about <paramref name="secondsPerRound"/> each per model, on
    /// <paramref name="examples"/> (model-ready, back to back; repeated to fill a batch).
    /// </summary>
    public static IReadOnlyList<BatchComparison> Run(OnnxModel baseline, OnnxModel candidate, ReadOnlySpan<float> examples,
        IReadOnlyList<int> batchSizes, int rounds = 3, double secondsPerRound = 0.5, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        var width = baseline.FeatureCount;
        if (candidate.FeatureCount != width)
        {
            throw new Contracts.ToolchainException($"the models take different inputs ({width} and {candidate.FeatureCount} values per example)");
        }
        if (examples.Length < width)
        {
            throw new Contracts.ToolchainException("no examples to time the models on");
        }
        var count = examples.Length / width;
        var results = new List<BatchComparison>();
        foreach (var batch in batchSizes)
        {
            var input = new float[batch * width];
            for (var i = 0; i < batch; i++)
            {
                examples.Slice(i % count * width, width).CopyTo(input.AsSpan(i * width));
            }
            var probabilities = new float[batch * Math.Max(baseline.ClassCount, candidate.ClassCount)];
            double Time(OnnxModel model) => Measure(model, input, batch, probabilities, secondsPerRound, cancellationToken);
            // Warm-up: the first calls allocate ONNX Runtime's arenas and JIT the managed path.
            Time(baseline);
            Time(candidate);
            var a = new List<double>();
            var b = new List<double>();
            for (var r = 0; r < rounds; r++)
            {
                if (r % 2 == 0)
                {
                    a.Add(Time(baseline));
                    b.Add(Time(candidate));
                }
                else
                {
                    b.Add(Time(candidate));
                    a.Add(Time(baseline));
                }
            }
            results.Add(new BatchComparison(batch, new Throughput(a), new Throughput(b)));
        }
        return results;
    }

    private static double Measure(OnnxModel model, float[] input, int batch, float[] probabilities, double seconds, CancellationToken cancellationToken)
    {
        var outputs = probabilities.AsSpan(0, batch * model.ClassCount);
        var calls = 0;
        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(seconds * Stopwatch.Frequency);
        do
        {
            model.RunProbabilities(input, batch, outputs, cancellationToken);
            calls++;
        }
        while (Stopwatch.GetTimestamp() < end);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return elapsed > 0 ? calls * batch / elapsed : 0;
    }
}
