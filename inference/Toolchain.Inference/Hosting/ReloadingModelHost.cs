using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;
using Toolchain.Contracts;
using Toolchain.Imaging;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Hosting;

/// <summary>
/// Serves the model its <see cref="ModelSource"/> names and replaces it when the source signals a change. A changed file
/// is loaded next to the old model and checked with one inference; if that works it becomes current in one atomic swap,
/// otherwise the failure is logged and the old model keeps serving. Requests already holding a <see cref="ModelLease"/>
/// finish on the old model, whose session is disposed once the last of them is done. Signals are debounced: the file
/// is read once the source has been quiet for <see cref="ModelReloadOptions.Debounce"/>.
/// </summary>
internal sealed partial class ReloadingModelHost : ILeaseSource, IDisposable
{
    private readonly ModelSource _source;
    private readonly OnnxModelOptions _modelOptions;
    private readonly ModelReloadOptions _reloadOptions;
    private readonly PreprocessingMode? _preprocessingMode;
    private readonly ImageLimits? _imageLimits;
    private readonly ILogger _logger;
    private readonly Lock _reloadLock = new();
    private readonly Lock _startLock = new();
    private readonly CancellationTokenSource _stopping = new();
    private LoadedModel? _current;
    private readonly TimeProvider _time;
    private ITimer? _debounceTimer;
    private IDisposable? _changes;
    private Task? _started;
    private string? _lastFailure;
    private string? _failedHash;
    private long _generation;
    private long _reloads;
    private long _failedReloads;
    private int _liveModels;
    private volatile bool _disposed;
    private bool _watchingStopped;

    /// <summary>
    /// Creates a host for the model <paramref name="source"/> names, which it owns from then on; nothing is loaded
    /// until <see cref="StartAsync"/>. <paramref name="preprocessingMode"/> overrides the card's image preprocessing;
    /// images over <paramref name="imageLimits"/> are refused before decoding. The debounce timer and the load times in
    /// <see cref="ModelVersion.LoadedAt"/> run on <paramref name="timeProvider"/>, <see cref="TimeProvider.System"/> by default.
    /// </summary>
    public ReloadingModelHost(ModelSource source, OnnxModelOptions? modelOptions = null, ModelReloadOptions? reloadOptions = null,
        ILogger? logger = null, PreprocessingMode? preprocessingMode = null, ImageLimits? imageLimits = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
        _modelOptions = modelOptions ?? new OnnxModelOptions();
        _reloadOptions = reloadOptions ?? new ModelReloadOptions();
        _preprocessingMode = preprocessingMode;
        _imageLimits = imageLimits;
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>A host for the model in the file at <paramref name="modelPath"/>, watched as <paramref name="reloadOptions"/> say.</summary>
    public ReloadingModelHost(string modelPath, OnnxModelOptions? modelOptions = null, ModelReloadOptions? reloadOptions = null,
        ILogger? logger = null, PreprocessingMode? preprocessingMode = null, ImageLimits? imageLimits = null, TimeProvider? timeProvider = null)
        : this(new FileModelSource(modelPath, reloadOptions, logger, timeProvider), modelOptions, reloadOptions, logger, preprocessingMode, imageLimits, timeProvider)
    {
    }

    /// <summary>The model file the source names now (absolute).</summary>
    public string ModelPath => _source.GetModelPath();

    /// <summary>The most rows a tensor request may carry on a model whose batch axis is free (see <see cref="ModelLease.MaxRows"/>).</summary>
    public int MaxBatchSize { get; init; } = Batching.BatchingDefaults.MaxBatchSize;

    /// <summary>
    /// Whether only image classifiers (see <see cref="LoadedModel.IsImageModel"/>) are accepted: any other model is refused like a
    /// broken file, so a service that classifies pictures never turns ready on, or swaps to, a model it cannot use.
    /// </summary>
    public bool RequireImages { get; init; }

    /// <summary>Whether a model is loaded and serving.</summary>
    public bool IsReady => Volatile.Read(ref _current) is not null;

    /// <summary>The model now serving new requests, or null before the first successful load.</summary>
    public ModelVersion? Version => Volatile.Read(ref _current)?.Version;

    /// <summary>Successful loads after the first one.</summary>
    public long ReloadCount => Interlocked.Read(ref _reloads);

    /// <summary>Changed files that could not be loaded (the old model kept serving).</summary>
    public long FailedReloadCount => Interlocked.Read(ref _failedReloads);

    /// <summary>Models loaded and not yet disposed: the current one plus old ones still finishing requests.</summary>
    public int LiveModelCount => Volatile.Read(ref _liveModels);

    /// <summary>Why the last load attempt failed, or null when it succeeded.</summary>
    public string? LastFailure => Volatile.Read(ref _lastFailure);

    /// <summary>Raised after a new model has become current (on a background thread).</summary>
    public event Action<ModelVersion>? ModelChanged;

    /// <summary>
    /// Raised with the reason (as in <see cref="LastFailure"/>) when a load fails: the first one, or a changed file that
    /// was not taken (on a background thread).
    /// </summary>
    public event Action<string>? LoadFailed;

    /// <summary>
    /// Loads the model (on a pool thread) and starts watching the file. Completes when the first load has been tried;
    /// a failure is logged, not thrown, and the host keeps watching so a valid file dropped in later is picked up.
    /// Calling it again returns the same task.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_startLock)
        {
            return _started ??= Task.Run(StartCore, cancellationToken);
        }
    }

    /// <summary>
    /// Leases the current model. Never loads it: before <see cref="StartAsync"/>, while the first load runs, and after
    /// it failed, this throws <see cref="ModelNotReadyException"/> at once with the reason, so a request never waits
    /// out a load (a service answers 503, as its readiness probe says) and no thread blocks on one.
    /// </summary>
    public ModelLease Acquire() => TryAcquire() ?? throw new ModelNotReadyException($"no model is loaded yet: {NotReadyReason()}");

    /// <summary>Leases the current model, or returns null when none is loaded (where <see cref="Acquire"/> throws).</summary>
    public ModelLease? TryAcquire()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (true)
        {
            var current = Volatile.Read(ref _current);
            if (current is null)
            {
                return null;
            }
            // A swap may release the model between the read and the increment; then read the new current one.
            if (current.TryAddReference())
            {
                return new ModelLease(current);
            }
        }
    }

    /// <summary>Why no model is serving: the last load failure, a load still running, or no load started.</summary>
    private string NotReadyReason()
    {
        if (LastFailure is { } failure)
        {
            return failure;
        }
        lock (_startLock)
        {
            return _started is null ? $"{ModelPath} has not been loaded (StartAsync was not called)" : $"{ModelPath} is still loading";
        }
    }

    /// <summary>
    /// Stops noticing changes (the source's token and the debounce timer) and waits for a load in progress, so that no
    /// new session is being created once this returns; the current model keeps serving until <see cref="Dispose"/>.
    /// Giving up on the wait when <paramref name="cancellationToken"/> fires is not an error.
    /// </summary>
    internal async Task StopWatchingAsync(CancellationToken cancellationToken)
    {
        Task? started;
        lock (_startLock)
        {
            _watchingStopped = true;
            started = _started;
        }
        lock (_reloadLock)
        {
            _changes?.Dispose();
            _debounceTimer?.Dispose();
        }
        if (started is not null)
        {
            try
            {
                await started.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The host's shutdown timeout ran out first; disposal still follows.
            }
        }
    }

    /// <summary>
    /// Checks the file now and loads it if its content changed. Returns true when a new model became current.
    /// A change signalled by the source calls this after the debounce; call it yourself to reload on demand.
    /// </summary>
    public bool CheckForChange()
    {
        if (_disposed)
        {
            return false;
        }
        lock (_reloadLock)
        {
            if (_disposed)
            {
                return false;
            }
            var path = _source.GetModelPath();
            if (!File.Exists(path))
            {
                if (_current is not null)
                {
                    LogModelFileMissing(_logger, path);
                    return false;
                }
                return Fail(first: true, $"{path}: no such file");
            }
            return TryLoad(path);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_reloadLock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
        }
        _stopping.Cancel();
        _changes?.Dispose();
        _debounceTimer?.Dispose();
        _source.Dispose();
        Interlocked.Exchange(ref _current, null)?.Release();
        _stopping.Dispose();
    }

    private void StartCore()
    {
        CheckForChange();
        if (_disposed || !_reloadOptions.Enabled)
        {
            return;
        }
        lock (_reloadLock)
        {
            // StopWatchingAsync may have run during the first load; it must not find timers started after it.
            if (_disposed || Volatile.Read(ref _watchingStopped))
            {
                return;
            }
            _debounceTimer = _time.CreateTimer(_ => CheckForChange(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _changes = ChangeToken.OnChange(_source.Watch, ScheduleCheck);
        }
    }

    private void ScheduleCheck()
    {
        try
        {
            // Each signal pushes the check back, so it runs once the writer has been quiet for the debounce time.
            _debounceTimer?.Change(_reloadOptions.Debounce, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Loads <paramref name="path"/> if its hash differs from the current model's. Runs under <see cref="_reloadLock"/>.</summary>
    private bool TryLoad(string path)
    {
        var first = _current is null;
        string hash;
        try
        {
            hash = Hash(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(first, $"{path}: cannot be read: {e.Message}");
        }
        // A file already loaded, or already found bad (and logged), is not loaded again.
        if (_current?.Version.Sha256 == hash || _failedHash == hash)
        {
            return false;
        }
        OnnxModel? model = null;
        try
        {
            model = OnnxModel.Load(path, _modelOptions);
            // The file may have been rewritten while ORT read it; then this model is of no known version.
            if (Hash(path) != hash)
            {
                model.Dispose();
                ScheduleCheck();
                return false;
            }
            SmokeTest(model);
            if (RequireImages && !LoadedModel.IsImageModel(model))
            {
                throw new ToolchainException($"{path}: {LoadedModel.NotAnImageModel(model)}");
            }
            var loaded = new LoadedModel(model, new ModelVersion { Sha256 = hash, LoadedAt = _time.GetUtcNow(), Generation = _generation + 1 },
                _preprocessingMode, ownsModel: true, _imageLimits, MaxBatchSize)
            {
                Owner = this,
                Released = _ => Interlocked.Decrement(ref _liveModels),
            };
            model = null;
            _generation++;
            Interlocked.Increment(ref _liveModels);
            var old = Interlocked.Exchange(ref _current, loaded);
            Volatile.Write(ref _lastFailure, null);
            _failedHash = null;
            if (old is null)
            {
                LogLoaded(_logger, path, loaded.Version.Id, EnumText.Of(loaded.Model.ActiveProvider), _modelOptions.IntraOpThreads);
            }
            else
            {
                Interlocked.Increment(ref _reloads);
                LogReloaded(_logger, path, old.Version.Id, loaded.Version.Id);
                old.Release();
            }
            ModelChanged?.Invoke(loaded.Version);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever a bad file makes ORT or the card reader throw, the old model must keep serving.
            model?.Dispose();
            _failedHash = hash;
            return Fail(first, e is ToolchainException ? e.Message : $"{path}: cannot be loaded ({e.GetType().Name}: {e.Message.Split('\n')[0]})");
        }
    }

    private bool Fail(bool first, string reason)
    {
        Volatile.Write(ref _lastFailure, reason);
        if (first)
        {
            LogFirstLoadFailed(_logger, reason);
        }
        else
        {
            Interlocked.Increment(ref _failedReloads);
            LogReloadFailed(_logger, reason, _current!.Version.Id);
        }
        LoadFailed?.Invoke(reason);
        return false;
    }

    /// <summary>Runs one all-zero example, so a file ORT accepts but cannot run never replaces a working model.</summary>
    private static void SmokeTest(OnnxModel model)
    {
        // A classifier's probabilities, or a regression's values (one of the two counts is 0).
        var outputs = new float[model.ClassCount + model.ValueCount];
        model.RunProbabilities(new float[model.FeatureCount], 1, outputs);
        if (!outputs.All(float.IsFinite))
        {
            throw new ToolchainException($"the model gives non-finite {(model.ValueCount > 0 ? "values" : "probabilities")} for an all-zero input");
        }
    }

    private static string Hash(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded model {ModelPath} (version {ModelVersion}, provider {Provider}, intra-op threads {IntraOpThreads})")]
    private static partial void LogLoaded(ILogger logger, string modelPath, string modelVersion, string provider, int intraOpThreads);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reloaded model {ModelPath}: version {OldVersion} -> {ModelVersion}")]
    private static partial void LogReloaded(ILogger logger, string modelPath, string oldVersion, string modelVersion);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot load the model: {Reason}")]
    private static partial void LogFirstLoadFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignoring the changed model file: {Reason}; version {ModelVersion} keeps serving")]
    private static partial void LogReloadFailed(ILogger logger, string reason, string modelVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model file {ModelPath} is gone; the loaded model keeps serving")]
    private static partial void LogModelFileMissing(ILogger logger, string modelPath);
}
