using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Toolchain.Contracts;
using Toolchain.Inference.Batching;
using Toolchain.Inference.Imaging;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Hosting;

/// <summary>
/// What a service embeds: a model that hot-reloads when its file changes (the old one finishes the requests it has
/// started), behind dynamic batching (<see cref="BatchingOptions"/>), or direct calls when batching is off. Register it
/// with <see cref="ServiceCollectionExtensions.AddOnnxClassifier(Microsoft.Extensions.DependencyInjection.IServiceCollection, string, Action{OnnxClassifierOptions})"/>.
/// Thread-safe; one instance per model file. Its state is in <see cref="GetStatus"/>.
/// </summary>
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
        Models = new ReloadingModelHost(options.ModelPath, modelOptions, options.Reload, loggerFactory.CreateLogger<ReloadingModelHost>(),
            options.PreprocessingMode, options.Images, timeProvider)
        {
            RequireImages = options.RequireImageInput,
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
            Batching = new BatchingStatus(batching.Enabled, batching.MaxBatchSize, batching.MaxQueueDelayMicroseconds, batching.QueueCapacity,
                batching.Instances, _batcher?.QueueLength ?? 0),
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
    /// Classifies an encoded image (PNG, JPEG, BMP or GIF). Bad images fail with <see cref="InvalidInputFileException"/>
    /// naming <paramref name="name"/>, a full queue with <see cref="BatchQueueFullException"/>, no model with
    /// <see cref="ModelNotReadyException"/>.
    /// </summary>
    public Task<ClassificationResult> ClassifyImageAsync(ReadOnlySpan<byte> encoded, string name, CancellationToken cancellationToken = default)
    {
        return _batcher is not null
            ? _batcher.ClassifyImageAsync(encoded, name, cancellationToken)
            : RunNow(encoded, (lease, encoded, token) =>
                new ClassificationResult(lease.RequireImages().Classify(encoded, name, token), lease.Version, lease.Model.Info.Labels), cancellationToken);
    }

    /// <summary>Classifies one model-ready example; errors as for <see cref="ClassifyImageAsync"/>.</summary>
    public Task<ClassificationResult> ClassifyAsync(ReadOnlySpan<float> features, CancellationToken cancellationToken = default)
    {
        return _batcher is not null
            ? _batcher.ClassifyAsync(features, cancellationToken)
            : RunNow(features, static (lease, features, token) =>
                new ClassificationResult(lease.Model.Classify(features, 1, token)[0], lease.Version, lease.Model.Info.Labels), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="rows"/> rows of raw input in the model's own element type and answers the raw outputs, for
    /// tensor protocols. With batching on, the rows join other requests' in one run (up to
    /// <see cref="BatchingOptions.MaxBatchSize"/> rows, more fails with <see cref="ToolchainException"/>); errors
    /// otherwise as for <see cref="ClassifyImageAsync"/>.
    /// </summary>
    internal Task<TensorResult> InferAsync(ReadOnlySpan<byte> input, int rows, CancellationToken cancellationToken = default)
    {
        return _batcher is not null
            ? _batcher.InferAsync(input, rows, cancellationToken)
            : RunNow(input, (lease, input, token) =>
            {
                var model = lease.Model;
                return new TensorResult(lease.Version, model.RunTensors(input, rows, token), model.OutputSpecs, model.Info.Labels, rows);
            }, cancellationToken);
    }

    /// <summary>Runs <paramref name="input"/> on the caller's thread under a lease of the current model (batching off).</summary>
    private delegate T LeasedRun<T, TInput>(ModelLease lease, TInput input, CancellationToken cancellationToken)
        where TInput : allows ref struct;

    /// <summary>The one unbatched path: every failure, a cancelled token first, comes back as a faulted task.</summary>
    private Task<T> RunNow<T, TInput>(TInput input, LeasedRun<T, TInput> run, CancellationToken cancellationToken)
        where TInput : allows ref struct
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
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
