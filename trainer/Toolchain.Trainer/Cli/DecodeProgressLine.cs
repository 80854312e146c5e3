using System.Globalization;

namespace Toolchain.Trainer.Cli;

/// <summary>The progress line of decoding an image folder.</summary>
internal static class DecodeProgressLine
{
    /// <summary>
    /// A progress bar for decoding an image folder: on a terminal one line redrawn about 50 times; into a log or a pipe
    /// a plain line at every tenth, so the log holds no carriage returns.
    /// </summary>
    public static Action<int, int> For(TextWriter output)
    {
        bool redraw = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        int steps = redraw ? 50 : 10;
        var gate = new object();
        int shown = -1;
        return (done, total) =>
        {
            int step = done * steps / Math.Max(1, total);
            lock (gate)
            {
                if (step <= shown && done != total)
                {
                    return;
                }
                shown = step;
                if (redraw)
                {
                    output.Write(string.Create(CultureInfo.InvariantCulture,
                        $"\rdecoding images [{new string('#', step)}{new string('.', 50 - step)}] {done:N0}/{total:N0}"));
                    if (done == total)
                    {
                        output.WriteLine();
                    }
                }
                else
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"decoding images: {done:N0}/{total:N0}"));
                }
            }
        };
    }
}
