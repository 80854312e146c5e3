using ScottPlot;
using Toolchain.Cli.Output;
using Toolchain.Contracts;

namespace Toolchain.Trainer.Charts;

/// <summary>The notebook's live loss plot as a PNG: train, test and (when held out) validation loss per epoch.</summary>
public static class LossChart
{
    /// <summary>Chart width in pixels.</summary>
    public const int Width = 800;

    /// <summary>Chart height in pixels.</summary>
    public const int Height = 500;

    /// <summary>
    /// Writes the chart to <paramref name="path"/> atomically. The arrays are parallel; NaN losses are left out, so a
    /// <paramref name="validationLoss"/> of NaNs (or null) draws no validation line.
    /// </summary>
    public static void Save(string path, IReadOnlyList<double> epochs, IReadOnlyList<double> trainLoss, IReadOnlyList<double> testLoss, string title,
        IReadOnlyList<double>? validationLoss = null)
    {
        if (epochs.Count != trainLoss.Count || epochs.Count != testLoss.Count || (validationLoss is not null && validationLoss.Count != epochs.Count))
        {
            throw new ArgumentException("epochs, train, test and validation loss must have the same length");
        }
        var plot = new Plot();
        AddSeries(plot, epochs, trainLoss, "train loss", Colors.C0);
        AddSeries(plot, epochs, testLoss, "test loss", Colors.C1);
        if (validationLoss is not null)
        {
            AddSeries(plot, epochs, validationLoss, "validation loss", Colors.C2);
        }
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
