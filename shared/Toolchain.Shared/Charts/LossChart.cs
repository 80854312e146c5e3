using ScottPlot;
using Toolchain.Contracts;
using Toolchain.Shared.Errors;

namespace Toolchain.Shared.Charts;

/// <summary>The notebook's live loss plot as a PNG: train and test loss per epoch.</summary>
public static class LossChart
{
    /// <summary>Chart width in pixels.</summary>
    public const int Width = 800;

    /// <summary>Chart height in pixels.</summary>
    public const int Height = 500;

    /// <summary>
    /// Writes the chart to <paramref name="path"/> atomically. The three arrays are parallel; NaN losses are left out.
    /// </summary>
    public static void Save(string path, IReadOnlyList<double> epochs, IReadOnlyList<double> trainLoss, IReadOnlyList<double> testLoss, string title)
    {
        if (epochs.Count != trainLoss.Count || epochs.Count != testLoss.Count)
        {
            throw new ArgumentException("epochs, train loss and test loss must have the same length");
        }
        var plot = new Plot();
        AddSeries(plot, epochs, trainLoss, "train loss", Colors.C0);
        AddSeries(plot, epochs, testLoss, "test loss", Colors.C1);
        plot.Title(title);
        plot.XLabel("epoch");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true }; // epochs are whole
        plot.YLabel("loss");
        plot.ShowLegend(Alignment.UpperRight);
        AtomicFile.WriteAllBytes(path, plot.GetImageBytes(Width, Height, ImageFormat.Png));
    }

    private static void AddSeries(Plot plot, IReadOnlyList<double> xs, IReadOnlyList<double> ys, string label, Color color)
    {
        var points = xs.Zip(ys).Where(p => double.IsFinite(p.Second)).ToArray();
        if (points.Length == 0)
        {
            return;
        }
        var scatter = plot.Add.Scatter(points.Select(p => p.First).ToArray(), points.Select(p => p.Second).ToArray(), color);
        scatter.LegendText = label;
        scatter.LineWidth = 2;
        scatter.MarkerSize = points.Length > 50 ? 0 : 5;
    }
}
