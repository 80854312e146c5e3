using System.Globalization;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using Toolchain.Cli.Output;
using Toolchain.Contracts;
using Toolchain.Data;

namespace Toolchain.Inference.Cli.Output;

/// <summary>
/// Writes dataset images as 8-bit grayscale PNG files named <c>{split}-{index:00000}-{class}.png</c>, so that real
/// digits are at hand for <c>infer classify</c>, the service and load tests. Each file is written atomically.
/// </summary>
public static class ImageSetPngWriter
{
    /// <summary>
    /// Writes images <paramref name="start"/> .. <paramref name="start"/> + <paramref name="count"/> - 1 of
    /// <paramref name="images"/> into <paramref name="directory"/> (created if needed); returns the paths in order.
    /// A range outside the split is refused with <see cref="ToolchainException"/> before anything is written.
    /// </summary>
    public static IReadOnlyList<string> Write(ImageSet images, IReadOnlyList<string> classNames, string split, int start, int count, string directory)
    {
        if (start < 0 || count < 1 || start >= images.Count)
        {
            throw new ToolchainException($"the {split} split has images 0..{images.Count - 1}; cannot write {count} from {start}");
        }
        count = Math.Min(count, images.Count - start);
        var encoder = new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 };
        var paths = new List<string>(count);
        for (var index = start; index < start + count; index++)
        {
            var label = images.Labels[index];
            var className = label < classNames.Count ? classNames[label] : label.ToString(CultureInfo.InvariantCulture);
            var path = Path.Combine(directory, FileName(split, index, className));
            using var image = Image.LoadPixelData<L8>(images.Image(index), images.Cols, images.Rows);
            AtomicFile.Write(path, stream => image.Save(stream, encoder));
            paths.Add(path);
        }
        return paths;
    }

    /// <summary>
    /// The file name of image <paramref name="index"/>; characters of the class name that do not belong in a file
    /// name (Fashion-MNIST has "T-shirt/top") become '_'.
    /// </summary>
    public static string FileName(string split, int index, string className)
    {
        var safe = new StringBuilder(className.Length);
        foreach (var c in className)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        }
        return string.Create(CultureInfo.InvariantCulture, $"{split}-{index:00000}-{safe}.png");
    }
}
