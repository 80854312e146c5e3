using System.Globalization;
using ScottPlot;
using Toolchain.Cli.Output;
using Toolchain.Data.Metrics;

namespace Toolchain.Charts;

/// <summary>
/// The two charts of a regression's evaluation, as PNG: predicted against actual values (a perfect model lies on the
/// diagonal) and the residuals (actual − predicted) against the predicted values (a good model's are a flat band
/// around zero, with no trend or funnel).
/// </summary>
public static class RegressionCharts
{
    /// <summary>Chart side in pixels.</summary>
    public const int Size = 600;

    /// <summary>Most points drawn: a million-row test file draws an evenly spaced sample of them.</summary>
    public const int MaxPoints = 20_000;

    /// <summary>
    /// Writes both charts for every target of row-major <paramref name="actual"/> and <paramref name="predicted"/>
    /// (<paramref name="targets"/>.Count values per row) to the paths <paramref name="pathOf"/> gives for their file
    /// names, and returns those names: predicted-vs-actual.png and residuals.png for one target, with "-" and the
    /// target's name (letters, digits, '-' and '_' kept) before ".png" for several.
    /// </summary>
    public static IReadOnlyList<string> SaveAll(Func<string, string> pathOf, IReadOnlyList<double> actual, IReadOnlyList<double> predicted,
        IReadOnlyList<string> targets, string title)
    {
        ArgumentNullException.ThrowIfNull(pathOf);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(targets);
        var names = new List<string>();
        int k = targets.Count;
        for (int t = 0; t < k; t++)
        {
            var a = Column(actual, t, k);
            var p = Column(predicted, t, k);
            var suffix = k == 1 ? "" : $"-{FileSafe(targets[t], t)}";
            var report = RegressionReport.From(a, p, 1);
            var figures = string.Create(CultureInfo.InvariantCulture, $"R² {report.MeanR2:0.0000}, RMSE {report.MeanRmse:G4}");
            string scatter = $"predicted-vs-actual{suffix}.png", residuals = $"residuals{suffix}.png";
            SavePredictedVsActual(pathOf(scatter), a, p, targets[t], $"{title}: {targets[t]}, {figures}");
            SaveResiduals(pathOf(residuals), a, p, targets[t], $"{title}: {targets[t]} residuals");
            names.Add(scatter);
            names.Add(residuals);
        }
        return names;
    }

    private static double[] Column(IReadOnlyList<double> values, int t, int k)
    {
        var column = new double[values.Count / k];
        for (int r = 0; r < column.Length; r++)
        {
            column[r] = values[(r * k) + t];
        }
        return column;
    }

    /// <summary>A target name fit for a file name; a name with nothing left becomes its position.</summary>
    private static string FileSafe(string name, int index)
    {
        var kept = new string(name.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_').Take(40).ToArray());
        return kept.Length > 0 ? $"{index + 1}-{kept}" : (index + 1).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Writes predicted against <paramref name="actual"/> to <paramref name="path"/> atomically, with the line y = x.</summary>
    public static void SavePredictedVsActual(string path, IReadOnlyList<double> actual, IReadOnlyList<double> predicted, string target, string title)
    {
        var (xs, ys) = Points(actual, predicted);
        var plot = new Plot();
        var scatter = plot.Add.ScatterPoints(xs, ys, Colors.C0);
        scatter.MarkerSize = xs.Length > 2000 ? 2 : 5;
        if (xs.Length > 0)
        {
            double low = Math.Min(xs.Min(), ys.Min()), high = Math.Max(xs.Max(), ys.Max());
            var diagonal = plot.Add.Line(low, low, high, high);
            diagonal.Color = Colors.Gray;
            diagonal.LinePattern = LinePattern.Dashed;
            diagonal.LegendText = "predicted = actual";
            plot.ShowLegend(Alignment.UpperLeft);
        }
        plot.Title(title);
        plot.XLabel($"actual {target}");
        plot.YLabel($"predicted {target}");
        AtomicFile.WriteAllBytes(path, plot.GetImageBytes(Size, Size, ImageFormat.Png));
    }

    /// <summary>Writes the residuals (actual − predicted) against the predictions to <paramref name="path"/> atomically, with the line y = 0.</summary>
    public static void SaveResiduals(string path, IReadOnlyList<double> actual, IReadOnlyList<double> predicted, string target, string title)
    {
        var (xs, ys) = Points(predicted, actual.Select((a, i) => a - predicted[i]).ToArray());
        var plot = new Plot();
        var scatter = plot.Add.ScatterPoints(xs, ys, Colors.C1);
        scatter.MarkerSize = xs.Length > 2000 ? 2 : 5;
        var zero = plot.Add.HorizontalLine(0);
        zero.Color = Colors.Gray;
        zero.LinePattern = LinePattern.Dashed;
        plot.Title(title);
        plot.XLabel($"predicted {target}");
        plot.YLabel("residual (actual − predicted)");
        AtomicFile.WriteAllBytes(path, plot.GetImageBytes(Size + (Size / 3), Size, ImageFormat.Png));
    }

    /// <summary>The finite pairs, at most <see cref="MaxPoints"/> of them evenly spaced through the rows.</summary>
    private static (double[] Xs, double[] Ys) Points(IReadOnlyList<double> xs, IReadOnlyList<double> ys)
    {
        if (xs.Count != ys.Count)
        {
            throw new ArgumentException("the two series must have the same length");
        }
        int step = Math.Max(1, (xs.Count + MaxPoints - 1) / MaxPoints);
        var keptX = new List<double>();
        var keptY = new List<double>();
        for (int i = 0; i < xs.Count; i += step)
        {
            if (double.IsFinite(xs[i]) && double.IsFinite(ys[i]))
            {
                keptX.Add(xs[i]);
                keptY.Add(ys[i]);
            }
        }
        return ([.. keptX], [.. keptY]);
    }
}
