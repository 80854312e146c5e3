using ScottPlot;
using Toolchain.Cli.Output;
using Toolchain.Contracts;

namespace Toolchain.Charts;

/// <summary>
/// The notebook's decision-boundary plot of a two-feature binary classifier: the predicted probability of class 1 as a
/// heat map over a grid, its 0.5 contour, and both classes' points. The model is any predictor, TorchSharp or ONNX.
/// </summary>
public static class DecisionBoundaryChart
{
    /// <summary>Grid cells per axis.</summary>
    public const int GridSize = 200;

    /// <summary>Chart width in pixels.</summary>
    public const int Width = 800;

    /// <summary>Chart height in pixels.</summary>
    public const int Height = 700;

    /// <summary>
    /// Writes the chart to <paramref name="path"/> atomically. <paramref name="predict"/> maps n×2 row-major points to
    /// n probabilities of class 1; it is called once with the whole grid. <paramref name="features"/> is n×2 row-major
    /// and <paramref name="labels"/> holds 0 or 1 per point.
    /// </summary>
    public static void Save(string path, Func<double[], double[]> predict, double[] features, double[] labels, string title)
    {
        ArgumentNullException.ThrowIfNull(predict);
        if (features.Length != labels.Length * 2 || labels.Length == 0)
        {
            throw new ArgumentException("features must be n×2 with one label per point, n > 0");
        }
        var (xs, ys) = Grid(features);
        var points = new double[xs.Length * ys.Length * 2];
        for (int j = 0, p = 0; j < ys.Length; j++)
        {
            for (int i = 0; i < xs.Length; i++, p += 2)
            {
                points[p] = xs[i];
                points[p + 1] = ys[j];
            }
        }
        var probabilities = predict(points);
        if (probabilities.Length != xs.Length * ys.Length)
        {
            throw new ArgumentException($"predict returned {probabilities.Length} values for {xs.Length * ys.Length} points");
        }
        var values = new double[ys.Length, xs.Length];
        var image = new double[ys.Length, xs.Length];
        for (int j = 0; j < ys.Length; j++)
        {
            for (int i = 0; i < xs.Length; i++)
            {
                values[j, i] = probabilities[(j * xs.Length) + i];
                image[ys.Length - 1 - j, i] = values[j, i]; // heat-map rows run from the top
            }
        }

        var plot = new Plot();
        var heat = plot.Add.Heatmap(image);
        heat.Colormap = new ScottPlot.Colormaps.Balance();
        heat.Extent = new CoordinateRect(xs[0], xs[^1], ys[0], ys[^1]);
        heat.ManualRange = new ScottPlot.Range(0, 1);
        plot.Add.ColorBar(heat);
        foreach (var (x1, y1, x2, y2) in ContourTracer.Segments(xs, ys, values, 0.5))
        {
            var line = plot.Add.Line(x1, y1, x2, y2);
            line.LineWidth = 2;
            line.LineColor = Colors.Black;
            line.MarkerSize = 0;
        }
        AddClass(plot, features, labels, 0, Colors.DodgerBlue, "class 0");
        AddClass(plot, features, labels, 1, Colors.OrangeRed, "class 1");
        plot.Title($"{title}\ncolour: p(class 1); line: p = 0.5");
        plot.XLabel("x1");
        plot.YLabel("x2");
        plot.ShowLegend(Alignment.UpperRight);
        plot.Axes.SetLimits(xs[0], xs[^1], ys[0], ys[^1]);
        AtomicFile.WriteAllBytes(path, plot.GetImageBytes(Width, Height, ImageFormat.Png));
    }

    /// <summary>The grid: the points' bounding box with a margin of a quarter of its size on every side.</summary>
    public static (double[] Xs, double[] Ys) Grid(double[] features)
    {
        double xMin = double.MaxValue, xMax = double.MinValue, yMin = double.MaxValue, yMax = double.MinValue;
        for (int p = 0; p < features.Length; p += 2)
        {
            xMin = Math.Min(xMin, features[p]);
            xMax = Math.Max(xMax, features[p]);
            yMin = Math.Min(yMin, features[p + 1]);
            yMax = Math.Max(yMax, features[p + 1]);
        }
        double mx = Math.Max(0.25 * (xMax - xMin), 0.5), my = Math.Max(0.25 * (yMax - yMin), 0.5);
        return (Axis(xMin - mx, xMax + mx), Axis(yMin - my, yMax + my));
    }

    private static double[] Axis(double lo, double hi) =>
        Enumerable.Range(0, GridSize + 1).Select(k => lo + ((hi - lo) * k / GridSize)).ToArray();

    private static void AddClass(Plot plot, double[] features, double[] labels, int cls, Color color, string label)
    {
        var idx = Enumerable.Range(0, labels.Length).Where(k => (labels[k] > 0.5 ? 1 : 0) == cls).ToArray();
        if (idx.Length == 0)
        {
            return;
        }
        var points = plot.Add.ScatterPoints(idx.Select(k => features[2 * k]).ToArray(), idx.Select(k => features[(2 * k) + 1]).ToArray(), color);
        points.MarkerSize = 6;
        points.MarkerShape = cls == 0 ? MarkerShape.FilledCircle : MarkerShape.FilledSquare;
        points.MarkerLineColor = Colors.White;
        points.LegendText = label;
    }
}
