using System.Diagnostics;
using Toolchain.Imaging;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Cli.Benchmarking;

/// <summary>Throughput and latency of one batch size.</summary>
internal sealed record BatchTiming(int BatchSize, int Calls, double ImagesPerSecond, LatencyStats PerCall)
{
    public double MsPerImage => PerCall.MeanMs / BatchSize;
}

/// <summary>Times a loaded model: batched throughput, and single images from encoded PNG bytes.</summary>
internal sealed class ModelBenchmark(OnnxModel model, float[] examples, double seconds)
{
    private readonly int _width = model.Info.FeatureCount;

    private int ExampleCount => examples.Length / _width;

    /// <summary>Calls the model with <paramref name="batchSize"/> examples for about <c>seconds</c> after a warm-up.</summary>
    public BatchTiming Batch(int batchSize)
    {
        var input = new float[batchSize * _width];
        for (var i = 0; i < batchSize; i++)
        {
            examples.AsSpan(i % ExampleCount * _width, _width).CopyTo(input.AsSpan(i * _width));
        }
        void Call() => model.Classify(input, batchSize);
        var latencies = Measure(Call);
        var total = latencies.Sum();
        return new BatchTiming(batchSize, latencies.Count, total > 0 ? latencies.Count * batchSize / total : 0, LatencyStats.FromSeconds(latencies));
    }

    /// <summary>Decodes, preprocesses and classifies one encoded image per call.</summary>
    public LatencyStats EncodedImage(byte[] encoded, IImagePreprocessor preprocessor)
    {
        var input = new float[_width];
        return LatencyStats.FromSeconds(Measure(() =>
        {
            preprocessor.Process(encoded, "bench.png", input);
            model.Classify(input, 1);
        }));
    }

    private List<double> Measure(Action call)
    {
        // Warm-up: first calls allocate arenas and JIT the managed path.
        var warmUntil = Stopwatch.GetTimestamp() + (long)(Math.Min(0.5, seconds / 5) * Stopwatch.Frequency);
        var warmCalls = 0;
        while (warmCalls < 3 || Stopwatch.GetTimestamp() < warmUntil)
        {
            call();
            warmCalls++;
        }
        var latencies = new List<double>();
        var end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        while (latencies.Count < 5 || Stopwatch.GetTimestamp() < end)
        {
            var t0 = Stopwatch.GetTimestamp();
            call();
            latencies.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
        }
        return latencies;
    }
}
