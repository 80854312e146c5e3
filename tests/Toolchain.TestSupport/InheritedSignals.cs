namespace Toolchain.TestSupport;

/// <summary>
/// Which signals this test process ignores from birth. A shell starts a background command without job control with
/// SIGINT and SIGQUIT ignored, and a child started by a test inherits that, so a test that sends SIGINT to a child
/// would see it go on: such a test says so instead of timing out on a child that never stops.
/// </summary>
public static class InheritedSignals
{
    /// <summary>Whether <paramref name="signal"/> (its Linux number) is ignored by this process.</summary>
    public static bool IsIgnored(int signal)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && ((Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) >> (signal - 1)) & 1) == 1;
    }

    /// <summary>The message for a test that cannot send <paramref name="signal"/> to a child.</summary>
    public static string Why(int signal) =>
        $"signal {signal} is ignored by this test process (started in the background without job control) and so by its children; run the tests in the foreground";
}
