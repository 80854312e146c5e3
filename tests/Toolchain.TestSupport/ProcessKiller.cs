namespace Toolchain.TestSupport;

/// <summary>Kills a child process and its descendants on dispose if it is still running, so a failed test leaves none behind.</summary>
public sealed class ProcessKiller(System.Diagnostics.Process process) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
    }
}
