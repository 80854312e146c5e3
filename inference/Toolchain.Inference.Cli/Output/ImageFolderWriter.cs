using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using Toolchain.Cli.Output;
using Toolchain.Data;

namespace Toolchain.Inference.Cli.Output;

/// <summary>
/// Writes a whole dataset as an image folder in torchvision's layout, <c>OUT/{train,test}/&lt;class&gt;/NNNNN.png</c>,
/// with a <c>classes.txt</c> giving the class order and display names: the data to train on image folders with, and
/// to compare with the IDX run. With colour, each digit is drawn in a random foreground colour on a random
/// background colour (seeded by its index, at least 96 levels of luminance apart) and padded to 32×32 RGB.
/// </summary>
internal static class ImageFolderWriter
{
    public static int Write(LoadedDataset data, string directory, bool colour)
    {
        var classes = data.ClassNames;
        var folders = classes.Select((c, i) => $"{i:00}-{ImageSetPngWriter.FileName("", 0, c)[7..^4]}").ToList();
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, "classes.txt"),
            string.Concat(folders.Select((f, i) => $"{f}={classes[i]}\n")));
        int written = 0;
        foreach (var (split, set) in new[] { ("train", data.Train), ("test", data.Test) })
        {
            foreach (var f in folders)
            {
                Directory.CreateDirectory(Path.Combine(directory, split, f));
            }
            var grey = new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 };
            var rgb = new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 };
            Parallel.For(0, set.Count, i =>
            {
                var path = Path.Combine(directory, split, folders[set.Labels[i]], string.Create(CultureInfo.InvariantCulture, $"{i:00000}.png"));
                if (colour)
                {
                    using var image = Coloured(set, i, split == "train" ? i : 1_000_000 + i);
                    AtomicFile.Write(path, stream => image.Save(stream, rgb));
                }
                else
                {
                    using var image = Image.LoadPixelData<L8>(set.Image(i), set.Cols, set.Rows);
                    AtomicFile.Write(path, stream => image.Save(stream, grey));
                }
                Interlocked.Increment(ref written);
            });
        }
        return written;
    }

    private static Image<Rgb24> Coloured(ImageSet set, int index, int seed)
    {
        var random = new Random(seed);
        Rgb24 fg, bg;
        do
        {
            fg = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            bg = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
        }
        while (Math.Abs(Luma(fg) - Luma(bg)) < 96);
        const int Side = 32;
        int pad = (Side - set.Cols) / 2, padY = (Side - set.Rows) / 2;
        var image = new Image<Rgb24>(Side, Side, bg);
        var pixels = set.Image(index).ToArray();
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < set.Rows; y++)
            {
                var row = rows.GetRowSpan(y + padY);
                for (int x = 0; x < set.Cols; x++)
                {
                    float t = pixels[(y * set.Cols) + x] / 255f;
                    row[x + pad] = new Rgb24(Mix(bg.R, fg.R, t), Mix(bg.G, fg.G, t), Mix(bg.B, fg.B, t));
                }
            }
        });
        return image;
    }

    private static byte Mix(byte a, byte b, float t) => (byte)Math.Round(a + ((b - a) * t));

    private static double Luma(Rgb24 c) => (0.299 * c.R) + (0.587 * c.G) + (0.114 * c.B);
}
