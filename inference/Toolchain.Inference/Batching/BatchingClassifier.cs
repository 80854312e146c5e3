using System.Buffers;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Toolchain.Contracts;
using Toolchain.Inference.Hosting;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Batching;

/// <summary>
/// Dynamic batching in process, as Triton does it: concurrent single-example requests wait in a queue; whenever one of
/// <see cref="BatchingOptions.Instances"/> model instances is free, everything waiting (up to
/// <see cref="BatchingOptions.MaxBatchSize"/> rows, or the graph's fixed batch size when it has one) becomes one ONNX Runtime call on it, the oldest request held back at most
/// <see cref="BatchingOptions.MaxQueueDelayMicroseconds"/> to fill the batch. Each caller gets its own result.
/// Requests are cancelled one by one; a cancelled request that has not run yet is left out of its batch. Thread-safe.
/// Waits are measured with the <see cref="TimeProvider"/> it is given (the system's by default), so tests can move time.
/// </summary>
/// <remarks>
/// Every request leases the current model of its <see cref="ILeaseSource"/> (or shares its caller's lease) when it is admitted and runs on that
/// model, so a hot reload never mixes preprocessing of one model with inference of another; a batch spanning a
/// reload is split into one run per model. Metrics are published on <see cref="Meter"/> (name <see cref="MeterName"/>,
/// instruments <see cref="InferenceMetrics.BatchSize"/>, <see cref="InferenceMetrics.BatchDuration"/> and
/// <see cref="InferenceMetrics.QueueRejections"/>).
/// </remarks>
internal sealed class BatchingClassifier : IAsyncDisposable, IDisposable
{
    /// <summary>Name of the <see cref="System.Diagnostics.Metrics.Meter"/> this type publishes on.</summary>
    public const string MeterName = InferenceMetrics.BatchingMeterName;

    private static readonly TimeSpan TimerResolution = TimeSpan.FromMilliseconds(1);

    private readonly ILeaseSource _source;
    private readonly int _maxBatchSize;
    private readonly int _capacity;
    private readonly long _maxDelayTicks;
    // Requests, and a null for every cancelled one: it wakes the gatherer so a caller who gives up frees its queue slot at
    // once, even while the batch waits out a long delay.
    private readonly Channel<Request?> _queue;
    private readonly TimeProvider _time;
    private readonly Channel<Instance> _idle;
    private readonly int _instances;
    private readonly Task _gatherer;
    private readonly Histogram<int> _batchSizes;
    private readonly Histogram<double> _batchSeconds;
    private readonly Counter<long> _rejections;
    private readonly bool _ownsMeter;
    private int _admitted;
    private int _disposed;

    /// <summary>
    /// Starts batching. <paramref name="source"/> must outlive this instance. The meter comes from
    /// <paramref name="meterFactory"/> (a host's, so its metrics reach the host's exporters); without one this
    /// instance creates and disposes a meter of its own. <paramref name="timeProvider"/> measures the queue delay and
    /// batch run times; <see cref="TimeProvider.System"/> by default.
    /// </summary>
    public BatchingClassifier(ILeaseSource source, BatchingOptions? options = null, IMeterFactory? meterFactory = null, TimeProvider? timeProvider = null)
    {
        options ??= new BatchingOptions();
        options.Validate();
        _source = source;
        _time = timeProvider ?? TimeProvider.System;
        _maxBatchSize = options.MaxBatchSize;
        _capacity = options.QueueCapacity;
        _maxDelayTicks = options.MaxQueueDelayMicroseconds * _time.TimestampFrequency / 1_000_000;
        // Admission is bounded by _admitted (waiting + running) rather than by the channel, so a request the
        // gatherer has already taken still counts until it is answered.
        _queue = Channel.CreateUnbounded<Request?>(new UnboundedChannelOptions { SingleReader = true });
        _ownsMeter = meterFactory is null;
        Meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);
        // Without advice, exporters use bounds made for milliseconds (0, 5, 10, 25, ...), which lump every batch into two buckets.
        _batchSizes = Meter.CreateHistogram(InferenceMetrics.BatchSize, "{request}", "Requests per model run", null,
            new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
        _batchSeconds = Meter.CreateHistogram(InferenceMetrics.BatchDuration, "s", "Time of one batched model run", null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        _rejections = Meter.CreateCounter<long>(InferenceMetrics.QueueRejections, "{request}", "Requests refused because the queue was full");
        _instances = options.Instances;
        _idle = Channel.CreateUnbounded<Instance>();
        for (var i = 0; i < _instances; i++)
        {
            _idle.Writer.TryWrite(new Instance(this));
        }
        _gatherer = Task.Run(GatherAsync);
    }

    /// <summary>
    /// Where this instance publishes batch sizes, run times and rejections; a meter from an <see cref="IMeterFactory"/>
    /// is shared with everything else that factory gave a meter of the same name.
    /// </summary>
    public Meter Meter { get; }

    /// <summary>Tags recorded with every measurement, e.g. the name of the classifier this batcher serves.</summary>
    internal KeyValuePair<string, object?>[] MetricTags { get; init; } = [];

    /// <summary>
    /// Requests admitted and not yet released: waiting or running, and for a moment those cancelled while waiting
    /// (answered at once, released when the batcher wakes to drop them).
    /// </summary>
    public int QueueLength => Volatile.Read(ref _admitted);

    /// <summary>
    /// Classifies one model-ready example of <see cref="OnnxModel.FeatureCount"/> values. The task fails with
    /// <see cref="BatchQueueFullException"/> when the queue is full, <see cref="ModelNotReadyException"/> when no model
    /// is loaded and <see cref="ToolchainException"/> for input of the wrong length.
    /// </summary>
    public Task<ClassificationResult> ClassifyAsync(ReadOnlySpan<float> features, CancellationToken cancellationToken = default) =>
        Admit(null, features, static (lease, features) =>
        {
            var request = NewRequest(lease, features.Length);
            features.CopyTo(request.Floats);
            return request;
        }, static r => r.Classification!, cancellationToken);

    /// <summary>
    /// Decodes and preprocesses an encoded image (PNG, JPEG, BMP, GIF or WebP) on the calling thread with the leased
    /// model's preprocessing, then queues it. Bad images fail the task with <see cref="InvalidInputFileException"/>
    /// naming <paramref name="name"/>; see <see cref="ClassifyAsync(ReadOnlySpan{float}, CancellationToken)"/> for the rest.
    /// </summary>
    public Task<ClassificationResult> ClassifyImageAsync(ReadOnlySpan<byte> encoded, string name, CancellationToken cancellationToken = default) =>
        // Admission is checked before decoding: when the queue is full, the decoding would be wasted.
        Admit(null, encoded, (lease, encoded) =>
        {
            var images = lease.RequireImages();
            var request = NewRequest(lease, images.InputLength);
            try
            {
                // Straight into the pooled buffer the batch copies from: no array of its own per request.
                images.Preprocessor.Process(encoded, name, request.Floats.AsSpan(0, images.InputLength));
            }
            catch
            {
                ArrayPool<float>.Shared.Return(request.Floats);
                throw;
            }
            return request;
        }, static r => r.Classification!, cancellationToken);

    /// <summary>
    /// Runs <paramref name="rows"/> rows of raw input on the model <paramref name="lease"/> holds, in its own element type
    /// (see <see cref="OnnxModel.RunTensors"/>), together with other requests' rows, and answers this request's rows of
    /// every output. The caller has checked the rows against that model (<see cref="OnnxClassifier.InferAsync"/>); the
    /// queue keeps a reference of its own to the same model, so the caller may dispose its lease when it gives up.
    /// </summary>
    public Task<TensorResult> InferAsync(ModelLease lease, ReadOnlySpan<byte> input, int rows, CancellationToken cancellationToken = default)
    {
        return Admit(lease, input, (queued, input) =>
        {
            var request = new Request(queued, [], ArrayPool<byte>.Shared.Rent(Math.Max(1, input.Length)), rows, input.Length);
            input.CopyTo(request.Raw);
            return request;
        }, static r => r.Tensors!, cancellationToken);
    }

    /// <summary>
    /// The most rows one batch on <paramref name="model"/> may hold: its graph's fixed batch size when it has one (a run
    /// always costs that many rows, and more would not fit), else <see cref="BatchingOptions.MaxBatchSize"/>.
    /// </summary>
    private int BatchCapOf(OnnxModel model) => model.FixedBatch > 0 ? model.FixedBatch : _maxBatchSize;

    /// <summary>Makes a queued request of <paramref name="input"/> under a lease of the current model, or throws.</summary>
    private delegate Request RequestFactory<TInput>(ModelLease lease, TInput input)
        where TInput : allows ref struct;

    /// <summary>
    /// The one admission path: refuses when disposed or full, leases the model (the current one, or a second reference
    /// to the one <paramref name="leased"/> holds), lets <paramref name="make"/> copy the caller's input into a request
    /// that owns that lease, and queues it. Every failure comes back as a faulted task.
    /// </summary>
    private Task<T> Admit<T, TInput>(ModelLease? leased, TInput input, RequestFactory<TInput> make, Func<Request, TaskCompletionSource<T>> completion,
        CancellationToken cancellationToken)
        where TInput : allows ref struct
    {
        ModelLease? lease = null;
        try
        {
            CheckAdmission();
            lease = leased?.Share() ?? _source.Acquire();
            var request = make(lease, input);
            lease = null;
            return Enqueue(request, completion(request), cancellationToken);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Task.FromException<T>(e);
        }
        finally
        {
            // Null once the queue owns the lease; any failure, out-of-memory included, must not keep the model alive.
            lease?.Dispose();
        }
    }

    /// <summary>Stops taking requests, lets those already queued finish, and releases the meter if it is this instance's own.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _queue.Writer.TryComplete();
        await _gatherer.ConfigureAwait(false);
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void CheckAdmission()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Volatile.Read(ref _admitted) >= _capacity)
        {
            _rejections.Add(1, MetricTags);
            throw new BatchQueueFullException(_capacity);
        }
    }

    private static Request NewRequest(ModelLease lease, int length)
    {
        var model = lease.Model;
        if (length != model.FeatureCount)
        {
            throw new ToolchainException($"an example of this model has {model.FeatureCount} values, not {length}");
        }
        return new Request(lease, ArrayPool<float>.Shared.Rent(length));
    }

    private Task<T> Enqueue<T>(Request request, TaskCompletionSource<T> completion, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _admitted) > _capacity)
        {
            _rejections.Add(1, MetricTags);
            Finish(request);
            return Task.FromException<T>(new BatchQueueFullException(_capacity));
        }
        request.Cancellation = cancellationToken;
        request.Queue = _queue.Writer;
        if (cancellationToken.CanBeCanceled)
        {
            request.Registration = cancellationToken.UnsafeRegister(static (state, token) =>
            {
                var cancelled = (Request)state!;
                if (cancelled.TryCancel(token))
                {
                    cancelled.Queue?.TryWrite(null);
                }
            }, request);
        }
        request.EnqueuedAt = _time.GetTimestamp();
        if (!_queue.Writer.TryWrite(request))
        {
            Finish(request);
            request.Fail(new ObjectDisposedException(nameof(BatchingClassifier)));
        }
        return completion.Task;
    }

    /// <summary>Releases what a request holds once it is answered or dropped; runs exactly once per admitted request.</summary>
    private void Finish(Request request)
    {
        request.Registration.Dispose();
        request.Lease.Dispose();
        if (request.Raw is { } raw)
        {
            ArrayPool<byte>.Shared.Return(raw);
        }
        else
        {
            ArrayPool<float>.Shared.Return(request.Floats);
        }
        Interlocked.Decrement(ref _admitted);
    }

    /// <summary>
    /// Forms batches, as Triton's dynamic batcher: it waits for a free model instance first, so requests that arrive
    /// while every instance is busy join the next batch, then takes what is waiting, holds it back up to the queue
    /// delay to fill up, and hands it to that instance. Returns once the queue is closed and every batch has run.
    /// </summary>
    private async Task GatherAsync()
    {
        var reader = _queue.Reader;
        var timeout = NewTimeout();
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                var instance = await _idle.Reader.ReadAsync().ConfigureAwait(false);
                instance.Take(reader);
                if (instance.Count > 0 && _maxDelayTicks > 0)
                {
                    timeout = await instance.FillAsync(reader, timeout).ConfigureAwait(false);
                }
                if (instance.Count == 0)
                {
                    _idle.Writer.TryWrite(instance);
                }
                else if (_instances == 1)
                {
                    // Nothing could run beside it, so it runs here rather than paying a thread hop.
                    instance.RunAndRelease();
                }
                else
                {
                    _ = Task.Run(instance.RunAndRelease);
                }
            }
        }
        finally
        {
            timeout.Dispose();
        }
        for (var i = 0; i < _instances; i++)
        {
            await _idle.Reader.ReadAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A source for the queue-delay waits whose CancelAfter runs on <see cref="_time"/>.</summary>
    private CancellationTokenSource NewTimeout() => new(Timeout.InfiniteTimeSpan, _time);

    /// <summary>
    /// One model instance, as in Triton's instance count: the batch being formed for it and its reusable buffers.
    /// Several instances let one batch run while the next is gathered, and batches run side by side on different cores.
    /// </summary>
    private sealed class Instance(BatchingClassifier owner)
    {
        private readonly List<Request> _batch = new(owner._maxBatchSize);
        private int _rows;
        // The most rows this batch may hold: the smallest cap of its requests' models; set as the first one joins.
        private int _cap;
        private byte[] _rawInputs = [];
        private float[] _floatInputs = [];
        private float[] _probabilities = [];
        private readonly List<CancellationTokenRegistration> _groupRegistrations = [];
        private CancellationTokenSource _groupCancel = new();
        private int _groupWaiting;
        private int _groupStart;
        private int _groupCount;

        /// <summary>Requests in the batch being formed.</summary>
        public int Count => _batch.Count;

        /// <summary>Runs the batch, answers its callers, and makes this instance free for the next batch.</summary>
        public void RunAndRelease()
        {
            try
            {
                Run();
            }
            finally
            {
                _batch.Clear();
                _rows = 0;
                owner._idle.Writer.TryWrite(this);
            }
        }

        /// <summary>Moves waiting requests into the batch, dropping those cancelled meanwhile (and the wake-ups they sent).</summary>
        public void Take(ChannelReader<Request?> reader)
        {
            // Batches are limited in rows (a tensor request brings all of its own, an image one row) and by the graph:
            // one fixed at a batch size takes no more rows than that in a run.
            while ((_batch.Count == 0 || _rows < _cap) && reader.TryPeek(out var next))
            {
                if (next is not null && !next.IsAnswered && _batch.Count > 0
                    && _rows + next.Rows > Math.Min(_cap, owner.BatchCapOf(next.Lease.Model)))
                {
                    break;
                }
                reader.TryRead(out var request);
                if (request is null)
                {
                    continue;
                }
                if (request.IsAnswered)
                {
                    owner.Finish(request);
                }
                else
                {
                    var cap = owner.BatchCapOf(request.Lease.Model);
                    _cap = _batch.Count == 0 ? cap : Math.Min(_cap, cap);
                    _batch.Add(request);
                    _rows += request.Rows;
                }
            }
        }

        /// <summary>
        /// Waits for more requests until the batch is full or the oldest request's delay is used up. A request cancelled
        /// meanwhile wakes the wait and is dropped at once, so a caller who gives up frees its queue slot promptly even
        /// under a long delay; if all are dropped the batch is abandoned.
        /// </summary>
        public async Task<CancellationTokenSource> FillAsync(ChannelReader<Request?> reader, CancellationTokenSource timeout)
        {
            while (_rows < _cap)
            {
                DropCancelled();
                if (_batch.Count == 0)
                {
                    break;
                }
                var time = owner._time;
                var remaining = time.GetElapsedTime(time.GetTimestamp(), _batch[0].EnqueuedAt + owner._maxDelayTicks);
                if (remaining <= TimeSpan.Zero)
                {
                    break;
                }
                if (remaining < TimerResolution && time == TimeProvider.System)
                {
                    // The system's timers tick in milliseconds; shorter waits yield the thread and look again. Another
                    // provider's timers fire when its clock is moved, so for them the wait is rounded up to a tick instead.
                    await Task.Yield();
                }
                else
                {
                    timeout.CancelAfter(remaining < TimerResolution ? TimerResolution : remaining);
                    bool more;
                    try
                    {
                        more = await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        more = true;
                    }
                    if (!timeout.TryReset())
                    {
                        timeout.Dispose();
                        timeout = owner.NewTimeout();
                    }
                    if (!more)
                    {
                        break;
                    }
                }
                Take(reader);
            }
            return timeout;
        }

        /// <summary>Finishes and removes requests already answered (cancelled) from the batch, keeping the order of the rest.</summary>
        private void DropCancelled()
        {
            for (var i = _batch.Count - 1; i >= 0; i--)
            {
                if (_batch[i].IsAnswered)
                {
                    _rows -= _batch[i].Rows;
                    owner.Finish(_batch[i]);
                    _batch.RemoveAt(i);
                }
            }
        }

        private void Run()
        {
            // Requests cancelled while the batch filled up are answered already; do not spend inference on them.
            DropCancelled();
            // Requests are grouped by the model they leased; only a batch that spans a reload has more than one group.
            var start = 0;
            while (start < _batch.Count)
            {
                var model = _batch[start].Lease.Model;
                var tensors = _batch[start].Raw is not null;
                var end = start + 1;
                while (end < _batch.Count && ReferenceEquals(_batch[end].Lease.Model, model) && (_batch[end].Raw is not null) == tensors)
                {
                    end++;
                }
                if (tensors)
                {
                    RunTensorGroup(model, start, end - start);
                }
                else
                {
                    RunGroup(model, start, end - start);
                }
                start = end;
            }
        }

        private void RunGroup(OnnxModel model, int start, int count)
        {
            var began = owner._time.GetTimestamp();
            ClassificationResult[]? results = null;
            Exception? failure = null;
            try
            {
                var features = model.FeatureCount;
                var probabilities = Grow(ref _probabilities, count * model.ClassCount);
                var inputs = Grow(ref _floatInputs, count * features);
                for (var i = 0; i < count; i++)
                {
                    _batch[start + i].Floats.AsSpan(0, features).CopyTo(inputs[(i * features)..]);
                }
                try
                {
                    model.RunProbabilities(inputs, count, probabilities, WatchGroup(start, count));
                }
                finally
                {
                    UnwatchGroup();
                }
                var predictions = model.ToPredictions(probabilities, count);
                var answers = new ClassificationResult[count];
                for (var i = 0; i < count; i++)
                {
                    answers[i] = new ClassificationResult { Prediction = predictions[i], Version = _batch[start + i].Lease.Version, Labels = model.Info.Labels };
                }
                results = answers;
            }
            catch (Exception e)
            {
                failure = e;
            }
            Answer(start, count, began, results, failure, r => r.Classification!);
        }

        /// <summary>
        /// Runs tensor requests as one model run over all their rows, then hands each request its own rows of every
        /// output; answered as <see cref="RunGroup"/> answers.
        /// </summary>
        private void RunTensorGroup(OnnxModel model, int start, int count)
        {
            var began = owner._time.GetTimestamp();
            TensorResult[]? results = null;
            Exception? failure = null;
            try
            {
                var rows = 0;
                var bytes = 0;
                for (var i = 0; i < count; i++)
                {
                    rows += _batch[start + i].Rows;
                    bytes += _batch[start + i].RawLength;
                }
                var inputs = Grow(ref _rawInputs, bytes);
                var offset = 0;
                for (var i = 0; i < count; i++)
                {
                    var request = _batch[start + i];
                    request.Raw.AsSpan(0, request.RawLength).CopyTo(inputs[offset..]);
                    offset += request.RawLength;
                }
                byte[][] outputs;
                try
                {
                    outputs = model.RunTensors(inputs, rows, WatchGroup(start, count));
                }
                finally
                {
                    UnwatchGroup();
                }
                var specs = model.OutputSpecs;
                var answers = new TensorResult[count];
                var row = 0;
                for (var i = 0; i < count; i++)
                {
                    var request = _batch[start + i];
                    var mine = new byte[outputs.Length][];
                    for (var o = 0; o < outputs.Length; o++)
                    {
                        var rowBytes = (int)specs[o].RowBytes;
                        mine[o] = outputs[o].AsSpan(row * rowBytes, request.Rows * rowBytes).ToArray();
                    }
                    answers[i] = new TensorResult { Version = request.Lease.Version, Outputs = mine, Specs = specs, Labels = model.Info.Labels, Rows = request.Rows };
                    row += request.Rows;
                }
                results = answers;
            }
            catch (Exception e)
            {
                failure = e;
            }
            Answer(start, count, began, results, failure, r => r.Tensors!);
        }

        /// <summary>
        /// Records the batch, then answers each request of the group with its result, or all of them with the failure.
        /// </summary>
        private void Answer<T>(int start, int count, long began, T[]? results, Exception? failure, Func<Request, TaskCompletionSource<T>> completion)
        {
            try
            {
                // Recorded before anyone is answered, so a caller that has its answer finds its batch counted.
                owner._batchSizes.Record(count, owner.MetricTags);
                // A run that failed or was stopped says why, as OpenTelemetry's error.type does on request durations.
                owner._batchSeconds.Record(owner._time.GetElapsedTime(began).TotalSeconds, failure is null
                    ? owner.MetricTags
                    : [.. owner.MetricTags, new(InferenceMetrics.ErrorTypeTag, failure.GetType().FullName)]);
            }
            finally
            {
                for (var i = 0; i < count; i++)
                {
                    // Released before it is answered, so a caller that has its answer no longer finds itself queued.
                    var request = _batch[start + i];
                    owner.Finish(request);
                    if (results is not null)
                    {
                        completion(request).TrySetResult(results[i]);
                    }
                    else
                    {
                        request.Fail(failure!);
                    }
                }
            }
        }

        /// <summary>
        /// A token that fires once every request of the group has been cancelled, so ONNX Runtime stops a run that nobody
        /// waits for any more; none when some request cannot be cancelled, since then someone always wants the answer.
        /// </summary>
        private CancellationToken WatchGroup(int start, int count)
        {
            for (var i = 0; i < count; i++)
            {
                if (!_batch[start + i].Cancellation.CanBeCanceled)
                {
                    return CancellationToken.None;
                }
            }
            if (!_groupCancel.TryReset())
            {
                _groupCancel.Dispose();
                _groupCancel = new CancellationTokenSource();
            }
            (_groupStart, _groupCount) = (start, count);
            Volatile.Write(ref _groupWaiting, count);
            for (var i = 0; i < count; i++)
            {
                // A token cancelled already runs the callback here, so those requests count at once.
                _groupRegistrations.Add(_batch[start + i].Cancellation.UnsafeRegister(static state => ((Instance)state!).OneGaveUp(), this));
            }
            return _groupCancel.Token;
        }

        private void OneGaveUp()
        {
            if (Interlocked.Decrement(ref _groupWaiting) == 0)
            {
                // Every caller gave up, but a caller's own cancellation may not have answered it yet: a token runs its
                // callbacks last registered first, and this watch registered after the caller did. The stopped run's
                // failure must not reach a caller before its cancellation, so each is answered as cancelled here, then
                // the run is stopped. The batch does not change while the run is watched (UnwatchGroup precedes Answer).
                for (var i = 0; i < _groupCount; i++)
                {
                    var request = _batch[_groupStart + i];
                    request.TryCancel(request.Cancellation);
                }
                _groupCancel.Cancel();
            }
        }

        /// <summary>Ends the watch; disposing each registration waits for its callback if one is running, so none outlives the run.</summary>
        private void UnwatchGroup()
        {
            foreach (var registration in _groupRegistrations)
            {
                registration.Dispose();
            }
            _groupRegistrations.Clear();
        }

        private static Span<T> Grow<T>(ref T[] buffer, int length)
        {
            if (buffer.Length < length)
            {
                buffer = new T[length];
            }
            return buffer.AsSpan(0, length);
        }
    }

    /// <summary>
    /// One queued request: an example of floats answered with a classification, or (with <see cref="Raw"/>) rows of
    /// raw input answered with raw outputs.
    /// </summary>
    private sealed class Request
    {
        public Request(ModelLease lease, float[] floats)
        {
            Lease = lease;
            Floats = floats;
            Rows = 1;
            Classification = new(TaskCreationOptions.RunContinuationsAsynchronously);
            Answer = Classification.Task;
        }

        public Request(ModelLease lease, float[] floats, byte[] raw, int rows, int rawLength)
        {
            Lease = lease;
            Floats = floats;
            Raw = raw;
            Rows = rows;
            RawLength = rawLength;
            Tensors = new(TaskCreationOptions.RunContinuationsAsynchronously);
            Answer = Tensors.Task;
        }

        public ModelLease Lease { get; }
        public float[] Floats { get; }

        /// <summary>Raw input rows of a tensor request (pooled; <see cref="RawLength"/> bytes are used), else null.</summary>
        public byte[]? Raw { get; }
        public int RawLength { get; }
        public int Rows { get; }
        public TaskCompletionSource<ClassificationResult>? Classification { get; }
        public TaskCompletionSource<TensorResult>? Tensors { get; }
        private Task Answer { get; }

        public bool IsAnswered => Answer.IsCompleted;

        public bool TryCancel(CancellationToken token) => Classification?.TrySetCanceled(token) ?? Tensors!.TrySetCanceled(token);

        public void Fail(Exception e)
        {
            if (Classification is not null)
            {
                Classification.TrySetException(e);
            }
            else
            {
                Tensors!.TrySetException(e);
            }
        }

        public CancellationTokenRegistration Registration { get; set; }
        public CancellationToken Cancellation { get; set; }

        /// <summary>Where a cancellation sends the wake-up for the gatherer.</summary>
        public ChannelWriter<Request?>? Queue { get; set; }
        public long EnqueuedAt { get; set; }
    }
}
