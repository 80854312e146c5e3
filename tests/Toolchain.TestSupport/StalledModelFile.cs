using System.Runtime.InteropServices;

namespace Toolchain.TestSupport;

/// <summary>
/// A model path that is a named pipe: a loader that opens it to read blocks until <see cref="ReleaseAsync"/>, so a test
/// can hold a model load in progress for as long as it likes, without timing anything. Once released, the loader reads
/// an empty stream and the load fails (a named pipe is no model file).
/// </summary>
public sealed class StalledModelFile : IDisposable
{
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(30);
    private Task? _released;

    /// <summary>Makes the named pipe at <paramref name="path"/>.</summary>
    public StalledModelFile(string path)
    {
        Path = path;
        if (MakeFifo(path, 0b110_100_100) != 0)
        {
            throw new IOException($"mkfifo {path} failed (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    /// <summary>The pipe's path, to give as the model file.</summary>
    public string Path { get; }

    /// <summary>
    /// Lets the blocked reader go: opens the pipe to write (which waits for the reader to open it, however late it
    /// comes) and closes it at once, so the reader sees the end of an empty stream.
    /// </summary>
    public Task ReleaseAsync()
    {
        _released ??= Task.Run(() =>
        {
            using var writer = new FileStream(Path, FileMode.Open, FileAccess.Write);
        });
        return _released.WaitAsync(ReleaseTimeout);
    }

    /// <summary>Releases a reader still blocked, so no thread of the test host waits on the pipe for ever.</summary>
    public void Dispose()
    {
        if (_released is null)
        {
            // Opening read-write never blocks on Linux and counts as a writer, so it frees a blocked reader if there is
            // one and does nothing otherwise.
            using var both = new FileStream(Path, FileMode.Open, FileAccess.ReadWrite);
        }
    }

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MakeFifo(string path, uint mode);
}
