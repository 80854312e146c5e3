namespace Toolchain.Inference.Hosting;

/// <summary>How an <see cref="OnnxClassifier"/> notices that its model file changed, and whether it reloads it.</summary>
public sealed class ModelReloadOptions
{
    /// <summary>Whether to watch the file at all; when off the first model serves until the host is disposed. On by default.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Whether to use file-system notifications (inotify). Polling always runs as well, because notifications are lost
    /// on some file systems (network mounts, containers' bind mounts) and when the watch limit is reached.
    /// </summary>
    public bool UseFileWatcher { get; set; } = true;

    /// <summary>Quiet time after the last change before loading, so a file still being written is not read half-way.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often the file's modification time and size are compared with the last ones seen.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
}
