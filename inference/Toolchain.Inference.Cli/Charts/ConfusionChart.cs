using System.Globalization;
using ScottPlot;
using Toolchain.Cli.Output;
using Toolchain.Contracts;
using Toolchain.Data.Metrics;

namespace Toolchain.Inference.Cli.Charts;

/// <summary>A confusion matrix drawn as an annotated heat map: true class down, predicted class across.</summary>
internal static class ConfusionChart
{
    /// <summary>
    /// Writes the heat map of <paramref name="matrix"/> to <paramref name="path"/> as a PNG, each cell labelled with its
    /// count. <paramref name="classNames"/> label the axes (one per class).
    /// </summary>
    public static void Save(string path, ConfusionMatrix matrix, IReadOnlyList<string> classNames, string title)
    {
        var n = matrix.ClassCount;
        if (classNames.Count != n)
        {
            throw new ArgumentException($"{classNames.Count} class names for {n} classes", nameof(classNames));
        }
        var plot = new Plot();
        var intensities = new double[n, n];
        long max = 0;
        for (var t = 0; t < n; t++)
        {
            for (var p = 0; p < n; p++)
            {
                intensities[t, p] = matrix[t, p];
                max = Math.Max(max, matrix[t, p]);
            }
        }
        var heatmap = plot.Add.Heatmap(intensities);
        // Pale for few, dark for many, as in scikit-learn's ConfusionMatrixDisplay.
        heatmap.Colormap = new ScottPlot.Colormaps.Blues().Reversed();
        plot.Add.ColorBar(heatmap);

        var fontSize = n <= 10 ? 16f : Math.Max(7f, 160f / n);
        for (var t = 0; t < n; t++)
        {
            for (var p = 0; p < n; p++)
            {
                var label = plot.Add.Text(matrix[t, p].ToString(CultureInfo.InvariantCulture), p, n - 1 - t);
                label.LabelFontSize = fontSize;
                label.LabelAlignment = Alignment.MiddleCenter;
                // Dark text on pale cells, white on dark ones, so every count stays legible.
                label.LabelFontColor = max > 0 && matrix[t, p] > max / 2.0 ? Colors.White : Colors.Black;
            }
        }

        var positions = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, classNames.ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            positions.Select(y => n - 1 - y).ToArray(), classNames.ToArray());
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.HideGrid();
        plot.Title(title);
        plot.XLabel("Predicted label");
        plot.YLabel("True label");
        var side = Math.Clamp(60 * n + 200, 480, 1600);
        AtomicFile.WriteAllBytes(path, plot.GetImageBytes(side + 100, side, ImageFormat.Png));
    }
}
