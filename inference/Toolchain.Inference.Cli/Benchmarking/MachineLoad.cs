using System.Globalization;

namespace Toolchain.Inference.Cli.Benchmarking;

/// <summary>How busy the machine is, from /proc/loadavg where there is one.</summary>
internal static class MachineLoad
{
    public static double? OneMinute()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var load) ? load : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
