using System.Buffers.Binary;
using System.IO.Compression;
using Toolchain.Data;

namespace Toolchain.Data.Tests;

/// <summary>Builds IDX bytes, well-formed or deliberately broken, for the reader tests.</summary>
internal static class IdxFixtures
{
    public static byte[] Raw(uint magic, int[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, magic);
        for (var i = 0; i < dims.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 + 4 * i), (uint)dims[i]);
        }
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    public static byte[] Gzip(byte[] raw)
    {
        using var memory = new MemoryStream();
        using (var zip = new GZipStream(memory, CompressionLevel.Optimal, leaveOpen: true))
        {
            zip.Write(raw);
        }
        return memory.ToArray();
    }

    public static byte[] Images(int count, int rows = 2, int cols = 3) =>
        Raw(IdxFormat.ImagesMagic, [count, rows, cols], Pixels(count * rows * cols));

    public static byte[] Labels(params byte[] labels) => Raw(IdxFormat.LabelsMagic, [labels.Length], labels);

    public static byte[] Pixels(int n, int seed = 7)
    {
        var random = new Random(seed);
        var pixels = new byte[n];
        random.NextBytes(pixels);
        return pixels;
    }

    /// <summary>A small random split: <paramref name="count"/> images of rows×cols with labels cycling 0..classes-1.</summary>
    public static ImageSet Split(int count, int rows = 4, int cols = 4, int classes = 10, int seed = 7) =>
        new(Pixels(count * rows * cols, seed), [.. Enumerable.Range(0, count).Select(i => (byte)(i % classes))], count, rows, cols);
}
