using ScottPlot;
using Toolchain.Shared.Errors;

namespace Toolchain.Shared.Charts;

/// <summary>Renders plots to PNG files that appear complete or not at all.</summary>
internal static class ChartPng
{
    /// <summary>Renders <paramref name="plot"/> at the given size and writes it to <paramref name="path"/> atomically.</summary>
    public static void Save(Plot plot, string path, int width, int height)
    {
        var bytes = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.WriteAllBytes(path, bytes);
    }
}
