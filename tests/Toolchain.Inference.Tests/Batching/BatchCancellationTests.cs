using System.Diagnostics;
using System.Diagnostics.Metrics;
using Toolchain.Inference.Batching;
using Toolchain.Inference.Hosting;
using Toolchain.Inference.Tests.Runtime;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Tests.Batching;

/// <summary>Cancellation of a batch already running; alone in <see cref="LongRuns"/>, like the model's own test.</summary>
[Collection(nameof(LongRuns))]
public sealed class BatchCancellationTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_batch_whose_callers_all_gave_up_is_stopped_inside_the_model_run()
    {
        var (model, inputs) = OnnxModelCancellationTests.LongRun(_dir.File("chain.onnx"));
        using var source = new FixedLeaseSource(model, ownsModel: true);
        var output = new float[OnnxModelCancellationTests.LongBatch * model.ClassCount];
        // Timed warm: a first run pays for ONNX Runtime's allocations, and a delay scaled on it could outlast a warm run.
        model.RunProbabilities(inputs, OnnxModelCancellationTests.LongBatch, output);
        var clock = Stopwatch.StartNew();
        model.RunProbabilities(inputs, OnnxModelCancellationTests.LongBatch, output);
        var uncancelled = clock.Elapsed;
        // One batch of every request: it runs once the last one is in, and never before.
        await using var batcher = new BatchingClassifier(source, new BatchingOptions
        {
            MaxBatchSize = OnnxModelCancellationTests.LongBatch,
            QueueCapacity = OnnxModelCancellationTests.LongBatch,
            MaxQueueDelayMicroseconds = int.MaxValue,
            Instances = 1,
        });
        var ran = new TaskCompletionSource<(double Seconds, string? Error)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, batcher.Meter) && instrument.Name == InferenceMetrics.BatchDuration)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
        {
            string? error = null;
            foreach (var tag in tags)
            {
                error = tag.Key == InferenceMetrics.ErrorTypeTag ? tag.Value as string : error;
            }
            ran.TrySetResult((seconds, error));
        });
        listener.Start();
        var width = model.FeatureCount;

        // The callers must give up while the batch runs. On a crowded machine they may give up before it begins (it is
        // then dropped: nothing is recorded and the queue empties), or, with the machine's speed drifting, after it
        // ended; neither is what this test is about, so it asks again, giving up later or sooner, until the
        // cancellation lands inside a run.
        var delay = uncancelled / 10;
        var attempts = new List<string>();
        while (true)
        {
            Assert.True(attempts.Count < 12, $"the cancellation never landed inside a run (uncancelled {uncancelled.TotalSeconds:F3} s): {string.Join("; ", attempts)}");
            ran = new TaskCompletionSource<(double Seconds, string? Error)>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var cancel = new CancellationTokenSource();
            var requests = Enumerable.Range(0, OnnxModelCancellationTests.LongBatch)
                .Select(i => batcher.ClassifyAsync(inputs.AsSpan(i * width, width), cancel.Token)).ToArray();
            cancel.CancelAfter(delay);
            // A run records its batch before it releases its requests, so an empty queue with nothing recorded is a drop.
            await Eventually.TrueAsync(() => ran.Task.IsCompleted || batcher.QueueLength == 0, "the batch to run or to be dropped");
            await Eventually.TrueAsync(() => batcher.QueueLength == 0, "every request of the batch to be released");
            if (!ran.Task.IsCompleted)
            {
                Assert.All(requests, r => Assert.True(r.IsCanceled, $"a dropped request ended {r.Status}"));
                attempts.Add($"dropped, cancelled after {delay.TotalSeconds:F3} s");
                delay = delay < uncancelled / 2 ? delay * 2 : delay;
                continue;
            }
            var (seconds, error) = await ran.Task;
            if (error is null)
            {
                // The run ended before the callers gave up: their answers came back.
                attempts.Add($"ran {seconds:F3} s to the end, cancelled after {delay.TotalSeconds:F3} s");
                delay /= 2;
                continue;
            }
            Assert.All(requests, r => Assert.True(r.IsCanceled, $"a request of the stopped batch ended {r.Status}"));
            // ONNX Runtime stopped the run at its terminate flag (the run's own cancellation), rather than finishing it: the
            // fact itself, not a wall-clock ratio, which a crowded machine can stretch.
            Assert.True(typeof(OperationCanceledException).IsAssignableFrom(Type.GetType(error)),
                $"the batch ran {seconds:F3} s (uncancelled {uncancelled.TotalSeconds:F3} s, cancelled after {delay.TotalSeconds:F3} s) and ended with {error}");
            break;
        }
        // Disposing waits for the instance to be free again and every request to be released.
        await batcher.DisposeAsync();
        Assert.Equal(0, batcher.QueueLength);
    }
}
