using System.Runtime.InteropServices;

namespace Toolchain.Cli;

/// <summary>
/// The exit codes of both CLIs, <c>trainer</c> and <c>infer</c>. They live in one place so that a script or a Makefile
/// reads every command's outcome the same way.
/// </summary>
public static class ExitCodes
{
    /// <summary>Everything worked.</summary>
    public const int Ok = 0;

    /// <summary>Bad usage, or the model (or another required input) could not be used; nothing useful was done.</summary>
    public const int Failed = 1;

    /// <summary>The command ran, but some of its inputs (images, rows, models) failed; each failure was reported.</summary>
    public const int PartlyFailed = 2;

    /// <summary>Stopped by Ctrl-C: 128 + SIGINT (2), what a shell reports for a process that SIGINT ended.</summary>
    public const int Interrupted = 130;

    /// <summary>Stopped by SIGTERM: 128 + SIGTERM (15), what a shell reports for a process that SIGTERM ended.</summary>
    public const int Terminated = 143;

    /// <summary>
    /// The code for a run that stopped because <paramref name="signal"/> arrived: <see cref="Terminated"/> for SIGTERM,
    /// otherwise <see cref="Interrupted"/> (null, a cancellation with no signal behind it, counts as Ctrl-C).
    /// </summary>
    public static int ForSignal(PosixSignal? signal) => signal == PosixSignal.SIGTERM ? Terminated : Interrupted;
}
