using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Toolchain.Contracts;
using Toolchain.Inference.Batching;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Hosting;

/// <summary>
/// What a service embeds: a model that hot-reloads when its file changes (the old one finishes the requests it has
/// started), behind dynamic batching (<see cref="BatchingOptions"/>), or direct calls when batching is off. Register it
/// with <see cref="ServiceCollectionExtensions.AddOnnxClassifier(Microsoft.Extensions.DependencyInjection.IServiceCollection, string, Action{OnnxClassifierOptions})"/>.
/// Thread-safe; one instance per model. Its state is in <see cref="GetStatus"/>.
/// </summary>
/// <remarks>
/// Three ways in: <see cref="ClassifyImageAsync"/> (an encoded picture, preprocessed as the model's card says),
/// <see cref="ClassifyAsync"/> (one model-ready example), and the tensor path for protocols such as the Open Inference
/// Protocol: <see cref="AcquireModel"/> leases the current model, whose <see cref="OnnxModel.InputSpec"/> and
/// <see cref="ModelLease.MaxRows"/> say what a request may hold, and <see cref="InferAsync"/> runs raw rows on that same
/// model. One lease per request, so a request is checked against, and run on, one model even across a hot reload.
/// </remarks>
public sealed class OnnxClassifier : IAsyncDisposable, IDisposable
{
    private readonly BatchingClassifier? _batcher;
    private readonly ClassifierMetrics _metrics;
    private readonly int _intraOpThreads;
    private int _disposed;

    /// <summary>
    /// Creates the classifier; the model loads on <see cref="StartAsync"/>. Its meters (see
    /// <see cref="InferenceMetrics"/>) come from <paramref name="meterFactory"/> when given, else are its own.
    /// <paramref name="name"/> tells classifiers of one process apart (in metrics); null or empty is the default one.
    /// Batching delays, the reload debounce and polling run on <paramref name="timeProvider"/>
    /// (<see cref="TimeProvider.System"/> by default).
    /// </summary>
    public OnnxClassifier(OnnxClassifierOptions options, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null, string? name = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Name = name ?? "";
        if (options.Problem() is { } problem)
        {
            throw new ToolchainException(Name.Length == 0 ? $"invalid classifier options: {problem}" : $"invalid options of classifier '{Name}': {problem}");
        }
        loggerFactory ??= NullLoggerFactory.Instance;
        Options = options;
        _intraOpThreads = options.ThreadsFor(Environment.ProcessorCount);
        var modelOptions = new OnnxModelOptions
        {
            Provider = options.Provider,
            IntraOpThreads = _intraOpThreads,
            AllowSpinning = options.AllowSpinning,
            VerifyIntegrity = options.VerifyIntegrity,
            LoggerFactory = loggerFactory,
        };
        if (options.ForeignInput is { } foreign)
        {
            modelOptions.ForeignInput = foreign;
        }
        var source = options.Source ?? new FileModelSource(options.ModelPath, options.Reload, loggerFactory.CreateLogger<FileModelSource>(), timeProvider);
        Models = new ReloadingModelHost(source, modelOptions, options.Reload, loggerFactory.CreateLogger<ReloadingModelHost>(),
            options.PreprocessingMode, options.Images, timeProvider)
        {
            RequireImages = options.RequireImageInput,
            MaxBatchSize = options.Batching.MaxBatchSize,
        };
        KeyValuePair<string, object?>[] tags = Name.Length == 0 ? [] : [new(InferenceMetrics.ModelNameTag, Name)];
        _batcher = options.Batching.Enabled ? new BatchingClassifier(Models, options.Batching, meterFactory, timeProvider) { MetricTags = tags } : null;
        _metrics = new ClassifierMetrics(Models, _batcher, meterFactory, tags);
    }

    /// <summary>
    /// The name it was registered under (<see cref="ServiceCollectionExtensions.AddOnnxClassifier(Microsoft.Extensions.DependencyInjection.IServiceCollection, string, Action{OnnxClassifierOptions})"/>);
    /// empty for the default classifier.
    /// </summary>
    public string Name { get; }

    /// <summary>The settings it was made with.</summary>
    internal OnnxClassifierOptions Options { get; }

    /// <summary>The hot-reloading model host: version, readiness, reload counts, leases.</summary>
    internal ReloadingModelHost Models { get; }

    /// <summary>The batcher, or null when batching is off.</summary>
    internal BatchingClassifier? Batcher => _batcher;

    /// <summary>Whether a model is loaded.</summary>
    public bool IsReady => Models.IsReady;

    /// <summary>
    /// What it serves and how, now: the model's version, provider and card, the threads and batching in force, the
    /// queue's length, reload counts and the last load failure. Read from one lease, so the model's fields agree.
    /// </summary>
    public ClassifierStatus GetStatus()
    {
        var batching = Options.Batching;
        using var lease = Models.TryAcquire();
        return new ClassifierStatus
        {
            Name = Name,
            ModelPath = Models.ModelPath,
            IsReady = lease is not null,
            Version = lease?.Version,
            Provider = lease?.Model.ActiveProvider,
            IntraOpThreads = _intraOpThreads,
            Model = lease?.Model.Info,
            Preprocessor = lease?.Images?.Preprocessor,
            Batching = new BatchingStatus
            {
                Enabled = batching.Enabled,
                MaxBatchSize = batching.MaxBatchSize,
                MaxQueueDelayMicroseconds = batching.MaxQueueDelayMicroseconds,
                QueueCapacity = batching.QueueCapacity,
                Instances = batching.Instances,
                QueueLength = _batcher?.QueueLength ?? 0,
            },
            ReloadCount = Models.ReloadCount,
            FailedReloadCount = Models.FailedReloadCount,
            LiveModelCount = Models.LiveModelCount,
            LastFailure = Models.LastFailure,
        };
    }

    /// <summary>Raised after a model has become current: the first load and every hot reload (on a background thread).</summary>
    public event Action<ModelVersion>? ModelChanged
    {
        add => Models.ModelChanged += value;
        remove => Models.ModelChanged -= value;
    }

    /// <summary>
    /// Raised with the reason when a load fails: the first one (the classifier stays not ready) or a changed file that
    /// was not taken (the old model keeps serving). On a background thread.
    /// </summary>
    public event Action<string>? LoadFailed
    {
        add => Models.LoadFailed += value;
        remove => Models.LoadFailed -= value;
    }

    /// <summary>
    /// Loads the model (in the background) and starts watching its file; the task completes once the first load has
    /// been tried, and a failure is kept as the reason <see cref="IsReady"/> is false, not thrown. Calling it again
    /// returns the same task. Registered through AddOnnxClassifier in a .NET host, the host calls it at start-up.
    /// Until a model is loaded, requests fail with <see cref="ModelNotReadyException"/> rather than wait.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => Models.StartAsync(cancellationToken);

    /// <summary>Stops watching the model file and waits (up to <paramref name="cancellationToken"/>) for a load in progress.</summary>
    internal Task StopWatchingAsync(CancellationToken cancellationToken) => Models.StopWatchingAsync(cancellationToken);

    /// <summary>
    /// Classifies an encoded image (PNG, JPEG, BMP, GIF or WebP). Bad images fail with <see cref="InvalidInputFileException"/>
    /// naming <paramref name="name"/>, a full queue with <see cref="BatchQueueFullException"/>, no model with
    /// <see cref="ModelNotReadyException"/>.
    /// </summary>
    public Task<ClassificationResult> ClassifyImageAsync(ReadOnlySpan<byte> encoded, string name, CancellationToken cancellationToken = default)
    {
        return _batcher is not null
            ? _batcher.ClassifyImageAsync(encoded, name, cancellationToken)
            : RunNow(null, encoded, (lease, encoded, token) => Result(lease.RequireImages().Classify(encoded, name, token), lease), cancellationToken);
    }

    /// <summary>Classifies one model-ready example; errors as for <see cref="ClassifyImageAsync"/>.</summary>
    public Task<ClassificationResult> ClassifyAsync(ReadOnlySpan<float> features, CancellationToken cancellationToken = default)
    {
        return _batcher is not null
            ? _batcher.ClassifyAsync(features, cancellationToken)
            : RunNow(null, features, static (lease, features, token) => Result(lease.Model.Classify(features, 1, token)[0], lease), cancellationToken);
    }

    private static ClassificationResult Result(Prediction prediction, ModelLease lease) =>
        new() { Prediction = prediction, Version = lease.Version, Labels = lease.Model.Info.Labels };

    /// <summary>
    /// Leases the model serving now, for one tensor request: check the request against <see cref="ModelLease.Model"/>
    /// (its <see cref="OnnxModel.InputSpec"/>, <see cref="OnnxModel.OutputSpecs"/>) and <see cref="ModelLease.MaxRows"/>,
    /// run it with <see cref="InferAsync"/>, then dispose the lease. Never waits for a load: throws
    /// <see cref="ModelNotReadyException"/> with the reason while no model is loaded.
    /// </summary>
    public ModelLease AcquireModel() => Models.Acquire();

    /// <summary>As <see cref="AcquireModel"/>, but null while no model is loaded.</summary>
    public ModelLease? TryAcquireModel() => Models.TryAcquire();

    /// <summary>
    /// Runs <paramref name="rows"/> rows of raw input on the model <paramref name="lease"/> holds (a lease of this
    /// classifier) and answers the request's rows of every output (<see cref="OnnxModel.OutputSpecs"/>), raw: no
    /// normalisation, widening or softmax, as tensor protocols want. <paramref name="input"/> holds the rows back to
    /// back in the model's own element type, little-endian, as <see cref="OnnxModel.InputSpec"/> describes; it is copied
    /// before this returns. With batching on, the rows join other requests' in one run. A request of 0 or more than
    /// <see cref="ModelLease.MaxRows"/> rows, or of another byte length, fails with <see cref="ToolchainException"/>
    /// saying so; a full queue with <see cref="BatchQueueFullException"/>. Cancelling stops the run once no request of
    /// its batch still waits for it.
    /// </summary>
    public Task<TensorResult> InferAsync(ModelLease lease, ReadOnlySpan<byte> input, int rows, CancellationToken cancellationToken = default)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(lease);
            lease.ThrowIfDisposed();
            if (!ReferenceEquals(lease.Owner, Models))
            {
                throw new ArgumentException("the lease is of another classifier's model; take it from this classifier's AcquireModel", nameof(lease));
            }
            var spec = lease.Model.InputSpec;
            if (rows < 1 || rows > lease.MaxRows)
            {
                throw new ToolchainException($"input '{spec.Name}' has a batch of {rows}; this model takes 1 to {lease.MaxRows} rows per request");
            }
            if ((long)rows * spec.RowBytes != input.Length)
            {
                throw new ToolchainException($"input '{spec.Name}' holds {input.Length} bytes but {rows} rows of it need {(long)rows * spec.RowBytes}");
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Task.FromException<TensorResult>(e);
        }
        return _batcher is not null
            ? _batcher.InferAsync(lease, input, rows, cancellationToken)
            : RunNow(lease, input, (lease, input, token) =>
            {
                var model = lease.Model;
                return new TensorResult
                {
                    Version = lease.Version,
                    Outputs = model.RunTensors(input, rows, token),
                    Specs = model.OutputSpecs,
                    Labels = model.Info.Labels,
                    Rows = rows,
                };
            }, cancellationToken);
    }

    /// <summary>Runs <paramref name="input"/> on the caller's thread under a lease of the current model (batching off).</summary>
    private delegate T LeasedRun<T, TInput>(ModelLease lease, TInput input, CancellationToken cancellationToken)
        where TInput : allows ref struct;

    /// <summary>
    /// The one unbatched path, on the caller's lease or else on one of the current model: every failure, a cancelled
    /// token first, comes back as a faulted task.
    /// </summary>
    private Task<T> RunNow<T, TInput>(ModelLease? leased, TInput input, LeasedRun<T, TInput> run, CancellationToken cancellationToken)
        where TInput : allows ref struct
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (leased is not null)
            {
                return Task.FromResult(run(leased, input, cancellationToken));
            }
            using var lease = Models.Acquire();
            return Task.FromResult(run(lease, input, cancellationToken));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Task.FromException<T>(e);
        }
    }

    /// <summary>Lets queued requests finish, then releases the model. Disposing more than once is harmless.</summary>
    public async ValueTask DisposeAsync()
    {
        // The container disposes the default classifier once for each service it is registered as.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        if (_batcher is not null)
        {
            await _batcher.DisposeAsync().ConfigureAwait(false);
        }
        _metrics.Dispose();
        Models.Dispose();
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
