using System.Globalization;

namespace Toolchain.Trainer.Cli;

/// <summary>
/// A progress bar for work counted in items (decoding images, running them through a backbone): on a terminal one
/// line redrawn about 50 times; into a log or a pipe a plain line at every tenth, so the log holds no carriage returns.
/// </summary>
internal static class CountProgress
{
    /// <summary>A (done, total) callback, safe to call from any thread, drawing "<paramref name="label"/> [###...] done/total".</summary>
    public static Action<int, int> For(TextWriter output, string label)
    {
        bool redraw = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        int steps = redraw ? 50 : 10;
        var gate = new object();
        int shown = -1;
        int lastTotal = -1;
        return (done, total) =>
        {
            int step = done * steps / Math.Max(1, total);
            lock (gate)
            {
                if (total != lastTotal || done == 1)
                {
                    // A new pass (e.g. augmented views after the pictures) starts its own bar.
                    lastTotal = total;
                    shown = -1;
                }
                if (step <= shown && done != total)
                {
                    return;
                }
                shown = step;
                if (redraw)
                {
                    output.Write(string.Create(CultureInfo.InvariantCulture,
                        $"\r{label} [{new string('#', step)}{new string('.', 50 - step)}] {done:N0}/{total:N0}"));
                    if (done == total)
                    {
                        output.WriteLine();
                    }
                }
                else
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: {done:N0}/{total:N0}"));
                }
            }
        };
    }
}
