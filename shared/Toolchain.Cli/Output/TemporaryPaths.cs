using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Toolchain.Cli.Output;

/// <summary>
/// Temporary files and folders that must not outlive the process. A write cut off by Ctrl-C or SIGTERM runs no
/// <c>finally</c> block, so a program that can be interrupted calls <see cref="DeleteOnTermination"/> once and the
/// tracked leftovers are deleted before the signal ends it.
/// </summary>
public static class TemporaryPaths
{
    private static readonly ConcurrentDictionary<string, byte> Tracked = new(StringComparer.Ordinal);
    private static readonly List<PosixSignalRegistration> Registrations = [];
    private static volatile bool _ending;
    private static PosixSignal? _signal;

    /// <summary>Whether a signal is ending the process (set by <see cref="DeleteAll"/>).</summary>
    public static bool Ending => _ending;

    /// <summary>
    /// The signal that is ending the process, when <see cref="DeleteAll"/> was told; it decides the exit code
    /// (<see cref="Cli.ExitCodes.ForSignal"/>), since SIGINT and SIGTERM end a process with different ones.
    /// </summary>
    public static PosixSignal? EndingSignal
    {
        get
        {
            lock (Tracked)
            {
                return _signal;
            }
        }
    }

    /// <summary>
    /// Tracks <paramref name="path"/> until the returned handle is disposed (which does not delete it). Call it before
    /// creating the path. Once the process is being ended it throws <see cref="OperationCanceledException"/>, so no new
    /// leftover is started.
    /// </summary>
    public static IDisposable Track(string path)
    {
        lock (Tracked)
        {
            if (_ending)
            {
                throw new OperationCanceledException("the process is ending");
            }
            Tracked[path] = 0;
        }
        return new Handle(path);
    }

    /// <summary>
    /// Deletes what is tracked when SIGINT or SIGTERM ends the process. For programs that let those signals end them;
    /// one that handles a signal itself (to stop gracefully) calls <see cref="DeleteAll"/> when it gives up instead.
    /// </summary>
    public static void DeleteOnTermination()
    {
        lock (Registrations)
        {
            if (Registrations.Count == 0)
            {
                Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => DeleteAll(ctx.Signal)));
                Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => DeleteAll(ctx.Signal)));
            }
        }
    }

    /// <summary>
    /// Deletes every tracked file and folder now and refuses new ones; for a process about to end, because
    /// <paramref name="signal"/> arrived when one is given (the first one given is kept as <see cref="EndingSignal"/>).
    /// </summary>
    public static void DeleteAll(PosixSignal? signal = null)
    {
        lock (Tracked)
        {
            _ending = true;
            _signal ??= signal;
        }
        // Writers tracked before this may still create their file; each stops tracking once its write has failed
        // (its file is gone) or finished (the file is complete under its real name), so wait for that, briefly.
        var until = Environment.TickCount64 + 1000;
        do
        {
            Delete([.. Tracked.Keys]);
            Thread.Sleep(10);
        }
        while (!Tracked.IsEmpty && Environment.TickCount64 < until);
        Delete([.. Tracked.Keys]);
    }

    private static void Delete(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }
                else
                {
                    File.Delete(path);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Exiting anyway; a leftover is better than a crash on the way out.
            }
        }
    }

    private sealed class Handle(string path) : IDisposable
    {
        public void Dispose() => Tracked.TryRemove(path, out _);
    }
}
