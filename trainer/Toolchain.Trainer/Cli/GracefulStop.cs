using System.Runtime.InteropServices;
using Toolchain.Cli;
using Toolchain.Cli.Output;

namespace Toolchain.Trainer.Cli;

/// <summary>
/// Ctrl-C and SIGTERM for a training command: the first one cancels the token (the command finishes its batch and
/// ends with <see cref="ExitCodes.Interrupted"/>), a second one removes the temporary files and lets the signal end the
/// process. The exit code of an interrupted run is the one a shell expects for the signal that stopped it.
/// </summary>
internal static class GracefulStop
{
    /// <summary>Runs <paramref name="body"/> with the token the signals cancel; returns its exit code.</summary>
    public static int Run(Func<CancellationToken, int> body)
    {
        using var cancel = new CancellationTokenSource();
        PosixSignal? stoppedBy = null;
        void Stop(PosixSignalContext ctx)
        {
            if (!cancel.IsCancellationRequested)
            {
                ctx.Cancel = true;
                stoppedBy = ctx.Signal;
                cancel.Cancel();
            }
            else
            {
                TemporaryPaths.DeleteAll(ctx.Signal);
            }
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        int code = body(cancel.Token);
        return code == ExitCodes.Interrupted ? ExitCodes.ForSignal(stoppedBy) : code;
    }
}
