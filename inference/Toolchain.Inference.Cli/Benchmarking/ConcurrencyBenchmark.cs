using System.Diagnostics;
using System.Diagnostics.Metrics;
using Toolchain.Contracts;
using Toolchain.Inference.Hosting;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Cli.Benchmarking;

/// <summary>Requests per second and per-request latency of many concurrent single-example callers.</summary>
/// <param name="Batched">Whether the callers went through an <see cref="OnnxClassifier"/> that batches.</param>
/// <param name="Callers">Concurrent callers.</param>
/// <param name="Threads">Intra-op threads of the session they used.</param>
/// <param name="RequestsPerSecond">Answered requests per second.</param>
/// <param name="PerRequest">Latency of one request as its caller saw it.</param>
/// <param name="MeanBatchSize">Requests per model run (1 when unbatched).</param>
internal sealed record ConcurrencyTiming(bool Batched, int Callers, int Threads, double RequestsPerSecond, LatencyStats PerRequest, double MeanBatchSize);

/// <summary>
/// What dynamic batching buys inside one process, without HTTP: <c>callers</c> loops each classify one example at a
/// time, either calling the model directly on their own threads or awaiting an <see cref="OnnxClassifier"/> that
/// batches, as a service does.
/// </summary>
internal sealed class ConcurrencyBenchmark(float[] examples, int width, int callers, double seconds)
{
    private int ExampleCount => examples.Length / width;

    /// <summary>Each caller runs the model itself on a thread of its own, as a service without batching does.</summary>
    public ConcurrencyTiming Unbatched(OnnxModel model, int threads)
    {
        void Call(int i) => model.Classify(examples.AsSpan(i % ExampleCount * width, width), 1);
        for (var i = 0; i < 3; i++)
        {
            Call(i);
        }
        var latencies = new List<double>[callers];
        var end = 0L;
        using var start = new Barrier(callers + 1);
        var workers = Enumerable.Range(0, callers).Select(c => new Thread(() =>
        {
            var mine = latencies[c] = [];
            start.SignalAndWait();
            for (var i = c; Stopwatch.GetTimestamp() < Volatile.Read(ref end); i += callers)
            {
                var t0 = Stopwatch.GetTimestamp();
                Call(i);
                mine.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
            }
        })
        { IsBackground = true }).ToList();
        workers.ForEach(w => w.Start());
        var began = Stopwatch.GetTimestamp();
        Volatile.Write(ref end, began + (long)(seconds * Stopwatch.Frequency));
        start.SignalAndWait();
        workers.ForEach(w => w.Join());
        return Timing(false, threads, latencies, Stopwatch.GetElapsedTime(began).TotalSeconds, 1);
    }

    /// <summary>
    /// Each caller awaits an <see cref="OnnxClassifier"/> made with <paramref name="settings"/> (batching on, reload
    /// off), which loads the model itself; the batch sizes come from its meter.
    /// </summary>
    public async Task<ConcurrencyTiming> BatchedAsync(OnnxClassifierOptions settings)
    {
        var threads = settings.ThreadsFor(Environment.ProcessorCount);
        await using var classifier = new OnnxClassifier(settings);
        await classifier.StartAsync();
        if (!classifier.IsReady)
        {
            throw new ToolchainException(classifier.GetStatus().LastFailure ?? $"{settings.ModelPath}: the model did not load");
        }
        long runs = 0, requests = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Its own meter: a classifier made without a meter factory creates one, the only one of its name here.
            if (instrument.Meter.Name == InferenceMetrics.BatchingMeterName && instrument.Name == InferenceMetrics.BatchSize)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, size, _, _) =>
        {
            Interlocked.Increment(ref runs);
            Interlocked.Add(ref requests, size);
        });
        listener.Start();
        for (var i = 0; i < 3; i++)
        {
            await Classify(classifier, i);
        }
        var latencies = new List<double>[callers];
        var began = Stopwatch.GetTimestamp();
        var end = began + (long)(seconds * Stopwatch.Frequency);
        Interlocked.Exchange(ref runs, 0);
        Interlocked.Exchange(ref requests, 0);
        await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            var mine = latencies[c] = [];
            for (var i = c; Stopwatch.GetTimestamp() < end; i += callers)
            {
                var t0 = Stopwatch.GetTimestamp();
                await Classify(classifier, i);
                mine.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(began).TotalSeconds;
        var meanBatch = Interlocked.Read(ref runs) > 0 ? (double)Interlocked.Read(ref requests) / Interlocked.Read(ref runs) : 0;
        return Timing(true, threads, latencies, elapsed, meanBatch);
    }

    private Task<ClassificationResult> Classify(OnnxClassifier classifier, int i) =>
        classifier.ClassifyAsync(examples.AsSpan(i % ExampleCount * width, width));

    private ConcurrencyTiming Timing(bool batched, int threads, List<double>[] latencies, double elapsed, double meanBatch)
    {
        var all = latencies.SelectMany(l => l).ToList();
        return new ConcurrencyTiming(batched, callers, threads, all.Count / elapsed, LatencyStats.FromSeconds(all), meanBatch);
    }
}
