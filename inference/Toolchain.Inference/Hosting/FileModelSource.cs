using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;

namespace Toolchain.Inference.Hosting;

/// <summary>
/// A model in one local file, watched for changes: file-system notifications (inotify) when
/// <see cref="ModelReloadOptions.UseFileWatcher"/> is on, and always a poll of the file's modification time and size
/// every <see cref="ModelReloadOptions.PollInterval"/>, because notifications are lost on some file systems (network
/// mounts, containers' bind mounts) and when the watch limit is reached. Either fires <see cref="Watch"/>'s token. The
/// default source of an <see cref="OnnxClassifier"/>; watching starts with the first call to <see cref="Watch"/>.
/// </summary>
public sealed partial class FileModelSource : ModelSource
{
    private readonly ModelReloadOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private CancellationTokenSource _changed = new();
    private FileSystemWatcher? _watcher;
    private ITimer? _poll;
    private FileStamp _lastSeen;
    private bool _watching;
    private bool _disposed;

    /// <summary>
    /// Watches <paramref name="path"/> (made absolute) as <paramref name="options"/> say (their defaults when null); the
    /// poll runs on <paramref name="timeProvider"/> (<see cref="TimeProvider.System"/> by default), and a watcher that
    /// cannot start is logged to <paramref name="logger"/> as a warning (polling goes on).
    /// </summary>
    public FileModelSource(string path, ModelReloadOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ModelPath = Path.GetFullPath(path);
        _options = options ?? new ModelReloadOptions();
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The watched file (absolute).</summary>
    public string ModelPath { get; }

    /// <inheritdoc />
    public override string GetModelPath() => ModelPath;

    /// <inheritdoc />
    public override IChangeToken Watch()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_watching)
            {
                _watching = true;
                _lastSeen = FileStamp.Of(ModelPath);
                _poll = _time.CreateTimer(_ => Poll(), null, _options.PollInterval, _options.PollInterval);
                if (_options.UseFileWatcher)
                {
                    _watcher = TryWatch();
                }
            }
            return new CancellationChangeToken(_changed.Token);
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
        }
        _watcher?.Dispose();
        _poll?.Dispose();
    }

    /// <summary>Fires the current token and puts a fresh one in its place, for the consumer's next <see cref="Watch"/>.</summary>
    private void Signal()
    {
        CancellationTokenSource fired;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            fired = _changed;
            _changed = new CancellationTokenSource();
        }
        // Outside the lock: the consumer's callback runs here and calls Watch again.
        fired.Cancel();
    }

    private void Poll()
    {
        var now = FileStamp.Of(ModelPath);
        if (now != _lastSeen)
        {
            _lastSeen = now;
            Signal();
        }
    }

    private FileSystemWatcher? TryWatch()
    {
        try
        {
            var watcher = new FileSystemWatcher(Path.GetDirectoryName(ModelPath)!, Path.GetFileName(ModelPath))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName | NotifyFilters.CreationTime,
            };
            watcher.Changed += (_, _) => Signal();
            watcher.Created += (_, _) => Signal();
            watcher.Renamed += (_, _) => Signal();
            watcher.Error += (_, e) => LogWatcherFailed(_logger, ModelPath, e.GetException().Message);
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            LogWatcherFailed(_logger, ModelPath, e.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot watch {ModelPath} for changes ({Reason}); polling only")]
    private static partial void LogWatcherFailed(ILogger logger, string modelPath, string reason);

    private readonly record struct FileStamp(bool Exists, long Length, DateTime LastWriteUtc)
    {
        public static FileStamp Of(string path)
        {
            var info = new FileInfo(path);
            return info.Exists ? new FileStamp(true, info.Length, info.LastWriteTimeUtc) : default;
        }
    }
}
