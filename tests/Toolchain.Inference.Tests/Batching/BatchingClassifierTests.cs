using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using Toolchain.Contracts;
using Toolchain.Inference.Batching;
using Toolchain.Inference.Hosting;
using Toolchain.Inference.Runtime;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Tests.Batching;

public sealed class BatchingClassifierTests : IDisposable
{
    /// <summary>How long a test waits for an answer due now; only a broken build takes that long.</summary>
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private readonly TempFolder _dir = new();
    private readonly TinyBatchingModel _tiny = new();

    public void Dispose()
    {
        _tiny.Dispose();
        _dir.Dispose();
    }

    /// <summary>Collects the batch sizes one batcher records on its meter.</summary>
    private sealed class BatchSizes : IDisposable
    {
        private readonly MeterListener _listener = new();

        public BatchSizes(BatchingClassifier batcher)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, batcher.Meter) && instrument.Name == InferenceMetrics.BatchSize)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<int>((_, value, _, _) => Sizes.Add(value));
            _listener.Start();
        }

        public ConcurrentBag<int> Sizes { get; } = [];

        public void Dispose() => _listener.Dispose();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public async Task Concurrent_requests_are_coalesced_into_fewer_runs_and_each_caller_gets_its_own_answer(int instances)
    {
        await using var batcher = new BatchingClassifier(_tiny.Source, new BatchingOptions { MaxBatchSize = 32, MaxQueueDelayMicroseconds = 2000, Instances = instances });
        using var sizes = new BatchSizes(batcher);
        var labels = Enumerable.Range(0, 300).Select(i => (i * 7) % 10).ToArray();

        var results = await Task.WhenAll(labels.Select(label => Task.Run(() => batcher.ClassifyAsync(LabelledTinyModels.Input(label)))));

        Assert.Equal(labels, results.Select(r => r.Prediction.Label));
        Assert.All(results, r => Assert.Equal($"digit {r.Prediction.Label}", r.Prediction.LabelName));
        Assert.Equal(300, sizes.Sizes.Sum());
        Assert.True(sizes.Sizes.Count < 300, $"{sizes.Sizes.Count} runs for 300 requests: nothing was batched");
        Assert.All(sizes.Sizes, s => Assert.InRange(s, 1, 32));
        Assert.Equal(0, batcher.QueueLength);
    }

    [Fact]
    public async Task Batched_answers_equal_unbatched_answers()
    {
        await using var batcher = new BatchingClassifier(_tiny.Source, new BatchingOptions { MaxQueueDelayMicroseconds = 1000 });
        var inputs = Enumerable.Range(0, 40).Select(i => TinyOnnxModels.ImageForClass(i % 10, on: 0.3f + (i * 0.01f), off: 0.05f * (i % 3))).ToArray();

        var batched = await Task.WhenAll(inputs.Select(x => batcher.ClassifyAsync(x)));

        for (var i = 0; i < inputs.Length; i++)
        {
            var single = _tiny.Model.Classify(inputs[i], 1)[0];
            Assert.Equal(single.Label, batched[i].Prediction.Label);
            Assert.Equal(single.Probabilities, batched[i].Prediction.Probabilities);
        }
    }

    [Fact]
    public async Task A_cancelled_request_is_answered_as_cancelled_at_once_and_left_out_of_its_batch()
    {
        var time = new FakeTimeProvider();
        await using var batcher = new BatchingClassifier(_tiny.Source, new BatchingOptions { MaxBatchSize = 64, MaxQueueDelayMicroseconds = 1_000_000 }, timeProvider: time);
        using var sizes = new BatchSizes(batcher);
        using var cancel = new CancellationTokenSource();
        var kept = Enumerable.Range(0, 4).Select(i => batcher.ClassifyAsync(LabelledTinyModels.Input(i))).ToArray();
        var cancelled = batcher.ClassifyAsync(LabelledTinyModels.Input(9), cancel.Token);

        cancel.Cancel();

        // The clock has not moved, so the batch cannot have run: the cancelled caller did not wait for it.
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Generous));
        Assert.Equal(cancel.Token, error.CancellationToken);
        Assert.Empty(sizes.Sizes);
        time.Advance(TimeSpan.FromSeconds(1));
        var results = await Task.WhenAll(kept).WaitAsync(Generous);
        Assert.Equal([0, 1, 2, 3], results.Select(r => r.Prediction.Label));
        Assert.Equal([4], sizes.Sizes);
        Assert.Equal(0, batcher.QueueLength);
    }

    [Fact]
    public async Task Cancelled_requests_free_their_queue_slots_long_before_the_batch_delay_runs_out()
    {
        var time = new FakeTimeProvider();
        await using var batcher = new BatchingClassifier(_tiny.Source, new BatchingOptions { MaxQueueDelayMicroseconds = 30_000_000, QueueCapacity = 3 },
            timeProvider: time);
        using var sizes = new BatchSizes(batcher);
        using var cancel = new CancellationTokenSource();
        var requests = Enumerable.Range(0, 3).Select(i => batcher.ClassifyAsync(LabelledTinyModels.Input(i), cancel.Token)).ToArray();
        Assert.Equal(3, batcher.QueueLength);

        cancel.Cancel();

        // Not a moment of the 30 s delay passes on the batcher's clock.
        await Eventually.TrueAsync(() => batcher.QueueLength == 0, "the cancelled requests' slots are free");
        Assert.All(requests, r => Assert.True(r.IsCanceled));
        Assert.Empty(sizes.Sizes);
        // New requests take the slots at once, and run when their own delay is up.
        var again = Enumerable.Range(0, 3).Select(i => batcher.ClassifyAsync(LabelledTinyModels.Input(i))).ToArray();
        Assert.Equal(3, batcher.QueueLength);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal([0, 1, 2], (await Task.WhenAll(again).WaitAsync(Generous)).Select(r => r.Prediction.Label));
    }

    [Fact]
    public async Task The_queue_delay_runs_on_the_given_clock_and_holds_the_batch_open_until_it_is_used_up()
    {
        var time = new FakeTimeProvider();
        // Half an hour: on the system's clock the test would time out long before the batch ran.
        await using var batcher = new BatchingClassifier(_tiny.Source, new BatchingOptions { MaxQueueDelayMicroseconds = 1_800_000_000 }, timeProvider: time);
        using var sizes = new BatchSizes(batcher);
        var first = Enumerable.Range(0, 2).Select(i => batcher.ClassifyAsync(LabelledTinyModels.Input(i))).ToArray();

        time.Advance(TimeSpan.FromMinutes(30) - TimeSpan.FromMilliseconds(1));
        var late = batcher.ClassifyAsync(LabelledTinyModels.Input(2));
        time.Advance(TimeSpan.FromMilliseconds(1));

        // The late request joined the batch, which was still open a millisecond before the delay ran out. A worker that
        // read the clock just before that last Advance and armed its timer just after it waits one more millisecond of
        // a clock nobody moves, so the clock moves on in milliseconds until the batch has run; the half hour it held
        // the batch open is what the sizes below show.
        var all = Task.WhenAll(first.Append(late));
        await Eventually.TrueAsync(() =>
        {
            if (!all.IsCompleted)
            {
                time.Advance(TimeSpan.FromMilliseconds(1));
            }
            return all.IsCompleted;
        }, "the batch to run once its delay is used up");
        var results = await all;
        Assert.Equal([0, 1, 2], results.Select(r => r.Prediction.Label));
        Assert.Equal([3], sizes.Sizes);
    }

    [Fact]
    public async Task A_request_whose_token_is_already_cancelled_never_runs()
    {
        await using var batcher = new BatchingClassifier(_tiny.Source);
        using var sizes = new BatchSizes(batcher);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => batcher.ClassifyAsync(LabelledTinyModels.Input(1), new CancellationToken(true)));
        await batcher.DisposeAsync();

        Assert.Empty(sizes.Sizes);
        Assert.Equal(0, batcher.QueueLength);
    }

    [Fact]
    public async Task Many_cancellations_mixed_with_normal_requests_leave_every_survivor_answered_correctly()
    {
        await using var batcher = new BatchingClassifier(_tiny.Source, new BatchingOptions { MaxBatchSize = 8, MaxQueueDelayMicroseconds = 500 });
        var tasks = new List<(int Label, CancellationTokenSource? Cancel, Task<ClassificationResult> Task)>();
        for (var i = 0; i < 400; i++)
        {
            var cancel = i % 3 == 0 ? new CancellationTokenSource() : null;
            tasks.Add((i % 10, cancel, batcher.ClassifyAsync(LabelledTinyModels.Input(i % 10), cancel?.Token ?? default)));
            cancel?.Cancel();
        }

        foreach (var (label, cancel, task) in tasks)
        {
            if (cancel is null)
            {
                Assert.Equal(label, (await task).Prediction.Label);
            }
            else
            {
                // Cancelled before or after it ran: either way the caller sees cancellation or its own answer.
                try
                {
                    Assert.Equal(label, (await task).Prediction.Label);
                }
                catch (OperationCanceledException)
                {
                }
                cancel.Dispose();
            }
        }
        // A caller cancelled while waiting has its answer at once; its slot is released when the gatherer wakes to drop it.
        await Eventually.TrueAsync(() => batcher.QueueLength == 0, "every cancelled request's slot to be released");
    }

    [Fact]
    public async Task A_full_queue_refuses_the_next_request_with_BatchQueueFullException_and_admits_again_once_drained()
    {
        // The admitted requests wait for the clock, which only the test moves: the queue stays full while it checks.
        var time = new FakeTimeProvider();
        await using var batcher = new BatchingClassifier(_tiny.Source, new BatchingOptions { MaxBatchSize = 64, QueueCapacity = 3, MaxQueueDelayMicroseconds = 400_000 },
            timeProvider: time);
        var admitted = Enumerable.Range(0, 3).Select(i => batcher.ClassifyAsync(LabelledTinyModels.Input(i))).ToArray();
        Assert.Equal(3, batcher.QueueLength);

        var refused = batcher.ClassifyAsync(LabelledTinyModels.Input(5));
        var imageRefused = batcher.ClassifyImageAsync([1, 2, 3], "x.png");

        var error = await Assert.ThrowsAsync<BatchQueueFullException>(() => refused);
        Assert.Equal(3, error.Capacity);
        Assert.Contains("queue is full", error.Message);
        await Assert.ThrowsAsync<BatchQueueFullException>(() => imageRefused);
        // The gatherer may start its delay after a single advance (a busy machine): move the clock until they run.
        var all = Task.WhenAll(admitted);
        await Eventually.TrueAsync(() => AdvancedUntil(time, all), "the admitted requests to run once their delay has passed");
        Assert.Equal([0, 1, 2], (await all).Select(r => r.Prediction.Label));
        Assert.Equal(0, batcher.QueueLength);
        var next = batcher.ClassifyAsync(LabelledTinyModels.Input(5));
        await Eventually.TrueAsync(() => AdvancedUntil(time, next), "the next request to run once its delay has passed");
        Assert.Equal(5, (await next).Prediction.Label);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(257)]
    public void An_instance_count_out_of_range_is_refused_naming_the_setting(int instances)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new BatchingClassifier(_tiny.Source, new BatchingOptions { Instances = instances }));

        Assert.Equal("Instances", error.ParamName);
    }

    [Fact]
    public async Task Input_of_the_wrong_length_fails_naming_both_lengths()
    {
        await using var batcher = new BatchingClassifier(_tiny.Source);

        var error = await Assert.ThrowsAsync<ToolchainException>(() => batcher.ClassifyAsync(new float[10]));

        Assert.Contains("784", error.Message);
        Assert.Contains("10", error.Message);
        Assert.Equal(0, batcher.QueueLength);
    }

    [Fact]
    public async Task Images_are_decoded_with_the_models_preprocessing_and_bad_ones_fail_with_the_files_name()
    {
        await using var batcher = new BatchingClassifier(_tiny.Source);
        var ink = TinyOnnxModels.ImageForClass(4);
        var png = TestImages.Encode(ink, 28, 28, ImageStyle.WhiteOnBlackGray8);

        var result = await batcher.ClassifyImageAsync(png, "four.png");
        var error = await Assert.ThrowsAsync<InvalidInputFileException>(() => batcher.ClassifyImageAsync(TestImages.PngWithHugeHeader(), "huge.png"));

        Assert.Equal(4, result.Prediction.Label);
        Assert.Equal("huge.png", error.FilePath);
        Assert.Contains("megapixel", error.Message);
        Assert.Equal(0, batcher.QueueLength);
    }

    [Fact]
    public async Task Float64_models_are_batched_in_their_own_element_type()
    {
        using var binary = new FixedLeaseSource(OnnxModel.Load(TinyOnnxModels.WriteBinary(_dir.File("binary.onnx")),
            new OnnxModelOptions { Provider = ExecutionProvider.Cpu }), ownsModel: true);
        await using var batcher = new BatchingClassifier(binary, new BatchingOptions { MaxQueueDelayMicroseconds = 1000 });

        var results = await Task.WhenAll(
            batcher.ClassifyAsync([1f, 1f]),
            batcher.ClassifyAsync([0f, 0f]),
            batcher.ClassifyAsync([0.5f, 0.25f]));

        Assert.Equal([1, 0, 0], results.Select(r => r.Prediction.Label));
        Assert.Equal(1 / (1 + Math.Exp(-1)), results[0].Prediction.Probabilities[1], 1e-6);
        Assert.Equal(1 / (1 + Math.Exp(0.25)), results[2].Prediction.Probabilities[1], 1e-6);
        Assert.Equal("positive", results[0].Prediction.LabelName);
    }

    [Fact]
    public async Task Disposing_lets_queued_requests_finish_and_refuses_new_ones()
    {
        var batcher = new BatchingClassifier(_tiny.Source, new BatchingOptions { MaxQueueDelayMicroseconds = 200_000 });
        var queued = batcher.ClassifyAsync(LabelledTinyModels.Input(8));

        await batcher.DisposeAsync();

        Assert.Equal(8, (await queued).Prediction.Label);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => batcher.ClassifyAsync(LabelledTinyModels.Input(8)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_meter_comes_from_the_factory_when_there_is_one_and_only_a_meter_of_its_own_is_disposed_with_it(bool withFactory)
    {
        using var factory = new ScopedMeterFactory();
        var batcher = new BatchingClassifier(_tiny.Source, new BatchingOptions(), withFactory ? factory : null);
        var completed = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, batcher.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.MeasurementsCompleted = (instrument, _) => completed.Add(instrument.Name);
        listener.Start();

        Assert.Equal(BatchingClassifier.MeterName, batcher.Meter.Name);
        Assert.Same(withFactory ? factory : null, batcher.Meter.Scope);
        await batcher.DisposeAsync();

        // The factory hands the same meter to everyone asking for that name, so only the factory may end it.
        string[] instruments = [InferenceMetrics.BatchDuration, InferenceMetrics.BatchSize, InferenceMetrics.QueueRejections];
        Assert.Equal(withFactory ? [] : instruments, completed.Order());
    }

    /// <summary>An <see cref="IMeterFactory"/> as hosts have: its meters carry it as their scope and end with it.</summary>
    private sealed class ScopedMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            options.Scope = this;
            var meter = new Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }

    private static bool AdvancedUntil(FakeTimeProvider time, Task task)
    {
        time.Advance(TimeSpan.FromMilliseconds(400));
        return task.IsCompleted;
    }
}
