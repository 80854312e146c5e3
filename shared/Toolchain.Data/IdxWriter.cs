using System.Buffers.Binary;
using System.IO.Compression;
using Toolchain.Cli.Output;
using Toolchain.Contracts;

namespace Toolchain.Data;

/// <summary>
/// Writes IDX image and label files, gzip-compressed when the name ends in <c>.gz</c> (or when asked), atomically:
/// a reader never sees a half-written file.
/// </summary>
public static class IdxWriter
{
    /// <summary>Writes <paramref name="images"/> as an IDX image file.</summary>
    public static void WriteImages(string path, IdxImages images, bool? gzip = null) =>
        WriteImages(path, images.Pixels, images.Count, images.Rows, images.Cols, gzip);

    /// <summary>Writes <paramref name="count"/> images of <paramref name="rows"/>×<paramref name="cols"/> bytes.</summary>
    public static void WriteImages(string path, byte[] pixels, int count, int rows, int cols, bool? gzip = null)
    {
        if ((long)count * rows * cols != pixels.Length)
        {
            throw new ArgumentException($"{pixels.Length} pixels do not make {count} images of {rows}x{cols}", nameof(pixels));
        }
        Write(path, IdxFormat.ImagesMagic, [count, rows, cols], pixels, gzip);
    }

    /// <summary>Writes <paramref name="labels"/> as an IDX label file.</summary>
    public static void WriteLabels(string path, byte[] labels, bool? gzip = null) =>
        Write(path, IdxFormat.LabelsMagic, [labels.Length], labels, gzip);

    /// <summary>
    /// Writes <paramref name="set"/> as <c>{prefix}-images-idx3-ubyte[.gz]</c> and <c>{prefix}-labels-idx1-ubyte[.gz]</c>
    /// in <paramref name="directory"/>; <paramref name="prefix"/> is <c>train</c> or <c>t10k</c>.
    /// </summary>
    public static void WriteSplit(string directory, string prefix, ImageSet set, bool gzip = true)
    {
        var ext = gzip ? ".gz" : "";
        WriteImages(Path.Combine(directory, $"{prefix}-images-idx3-ubyte{ext}"), set.Pixels, set.Count, set.Rows, set.Cols, gzip);
        WriteLabels(Path.Combine(directory, $"{prefix}-labels-idx1-ubyte{ext}"), set.Labels, gzip);
    }

    private static void Write(string path, uint magic, int[] dims, byte[] data, bool? gzip)
    {
        var compress = gzip ?? path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        var header = new byte[4 + 4 * dims.Length];
        BinaryPrimitives.WriteUInt32BigEndian(header, magic);
        for (var i = 0; i < dims.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4 + 4 * i), (uint)dims[i]);
        }
        AtomicFile.Write(path, stream =>
        {
            if (compress)
            {
                using var zip = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true);
                zip.Write(header);
                zip.Write(data);
            }
            else
            {
                stream.Write(header);
                stream.Write(data);
            }
        });
    }
}
