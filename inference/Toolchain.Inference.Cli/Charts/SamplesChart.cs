using ScottPlot;
using Toolchain.Cli.Output;
using Toolchain.Contracts;

namespace Toolchain.Inference.Cli.Charts;

/// <summary>One grayscale image with its true and predicted class.</summary>
/// <param name="Pixels">Rows×Cols bytes, row-major, white-on-black as in MNIST.</param>
/// <param name="Rows">Image height.</param>
/// <param name="Cols">Image width.</param>
/// <param name="TrueLabel">The class it belongs to.</param>
/// <param name="PredictedLabel">The class the model chose.</param>
internal sealed record LabelledImage(byte[] Pixels, int Rows, int Cols, int TrueLabel, int PredictedLabel)
{
    /// <summary>1 for grey, 3 for RGB (channel-major pixels).</summary>
    public int Channels { get; init; } = 1;

    /// <summary>Whether the model got it right.</summary>
    public bool IsCorrect => TrueLabel == PredictedLabel;
}

/// <summary>A grid of test images, each titled "true: a / pred: b", mistakes titled in red.</summary>
internal static class SamplesChart
{
    private const double Gap = 0.25;
    private const double TitleSpace = 0.3;

    /// <summary>Writes the grid of <paramref name="samples"/> to <paramref name="path"/> as a PNG, five images per row.</summary>
    public static void Save(string path, IReadOnlyList<LabelledImage> samples, IReadOnlyList<string> classNames, string title)
    {
        if (samples.Count == 0)
        {
            throw new ArgumentException("there are no images to draw", nameof(samples));
        }
        foreach (var s in samples)
        {
            if (s.Pixels.Length != s.Channels * s.Rows * s.Cols)
            {
                throw new ArgumentException($"an image of {s.Channels}x{s.Rows}x{s.Cols} needs {s.Channels * s.Rows * s.Cols} pixels, not {s.Pixels.Length}", nameof(samples));
            }
        }
        var columns = Math.Min(5, samples.Count);
        var rows = (samples.Count + columns - 1) / columns;
        var plot = new Plot();
        for (var i = 0; i < samples.Count; i++)
        {
            var s = samples[i];
            var left = i % columns * (1 + Gap);
            var top = -(i / columns) * (1 + Gap + TitleSpace);
            if (s.Channels == 3)
            {
                // Colour is drawn as the picture it is: channel-major bytes to an RGB PNG, placed in the panel.
                using var rgb = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(s.Cols, s.Rows);
                int plane = s.Rows * s.Cols;
                for (var p = 0; p < plane; p++)
                {
                    rgb[p % s.Cols, p / s.Cols] = new SixLabors.ImageSharp.PixelFormats.Rgb24(s.Pixels[p], s.Pixels[plane + p], s.Pixels[(2 * plane) + p]);
                }
                using var png = new MemoryStream();
                SixLabors.ImageSharp.ImageExtensions.SaveAsPng(rgb, png);
                plot.Add.ImageRect(new ScottPlot.Image(png.ToArray()), new CoordinateRect(left, left + 1, top - 1, top));
                Caption(plot, s, classNames, left, top);
                continue;
            }
            var intensities = new double[s.Rows, s.Cols];
            for (var r = 0; r < s.Rows; r++)
            {
                for (var c = 0; c < s.Cols; c++)
                {
                    intensities[r, c] = s.Pixels[r * s.Cols + c];
                }
            }
            var image = plot.Add.Heatmap(intensities);
            image.Colormap = new ScottPlot.Colormaps.Grayscale();
            image.ManualRange = new ScottPlot.Range(0, 255);
            image.Extent = new CoordinateRect(left, left + 1, top - 1, top);

            Caption(plot, s, classNames, left, top);
        }
        plot.HideAxesAndGrid();
        var width = columns * (1 + Gap) - Gap;
        var height = rows * (1 + Gap + TitleSpace) - Gap;
        plot.Axes.SetLimits(-0.05, width + 0.05, -height + TitleSpace - 0.05, TitleSpace + 0.05);
        plot.Axes.SquareUnits();
        plot.Title(title);
        AtomicFile.WriteAllBytes(path, plot.GetImageBytes(columns * 200 + 40, rows * 260 + 80, ImageFormat.Png));
    }

    private static void Caption(Plot plot, LabelledImage s, IReadOnlyList<string> classNames, double left, double top)
    {
        {
            var text = $"true: {Name(classNames, s.TrueLabel)} / pred: {Name(classNames, s.PredictedLabel)}";
            // Long class names (Fashion-MNIST's "T-shirt/top") would run into the next panel on one line.
            if (text.Length > 24)
            {
                text = $"true: {Name(classNames, s.TrueLabel)}\npred: {Name(classNames, s.PredictedLabel)}";
            }
            var caption = plot.Add.Text(text, left + 0.5, top + 0.05);
            caption.LabelAlignment = Alignment.LowerCenter;
            caption.LabelFontSize = 15;
            caption.LabelBold = !s.IsCorrect;
            caption.LabelFontColor = s.IsCorrect ? Colors.Black : Colors.Red;
        }
    }

    private static string Name(IReadOnlyList<string> classNames, int label) =>
        (uint)label < (uint)classNames.Count ? classNames[label] : label.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
