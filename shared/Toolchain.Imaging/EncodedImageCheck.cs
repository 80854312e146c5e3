using System.Buffers.Binary;

namespace Toolchain.Imaging;

/// <summary>
/// Structural checks that decoders skip: ImageSharp decodes a truncated JPEG or GIF into a partly grey picture, and a
/// classifier must not quietly answer for half an image. PNGs are checked by <see cref="PngFile"/>, WebPs by
/// <see cref="WebpFile"/>.
/// </summary>
internal static class EncodedImageCheck
{
    /// <summary>A JPEG without its end-of-image marker was cut short.</summary>
    public static string? JpegProblem(ReadOnlySpan<byte> data)
    {
        // Some writers append padding or metadata after EOI, so look for the marker near the end rather than at it.
        var tail = data[Math.Max(0, data.Length - 4096)..];
        return tail.IndexOf([(byte)0xFF, (byte)0xD9]) >= 0 ? null : "is truncated (the JPEG has no end-of-image marker)";
    }

    /// <summary>
    /// Walks a GIF's blocks (colour tables, extensions, image data sub-blocks) to the trailer: a trailer byte near the
    /// end proves nothing, since 0x3B occurs inside image data. A file that ends cleanly after a complete image but
    /// lacks the trailer is accepted, as browsers do.
    /// </summary>
    public static string? GifProblem(ReadOnlySpan<byte> data)
    {
        const string Truncated = "is truncated (the GIF ends inside its image data)";
        if (data.Length < 13)
        {
            return "is truncated (the GIF header is incomplete)";
        }
        long at = 13 + ColorTableSize(data[10]);
        var images = 0;
        while (true)
        {
            if (at >= data.Length)
            {
                return images > 0 && at == data.Length ? null : Truncated;
            }
            switch (data[(int)at])
            {
                case 0x3B:
                    return images > 0 ? null : "is corrupt (the GIF holds no image)";
                case 0x21:
                    at = SkipSubBlocks(data, at + 2);
                    break;
                case 0x2C:
                    if (at + 10 > data.Length)
                    {
                        return Truncated;
                    }
                    at = SkipSubBlocks(data, at + 10 + ColorTableSize(data[(int)at + 9]) + 1);
                    images++;
                    break;
                default:
                    return $"is corrupt (unexpected GIF block 0x{data[(int)at]:X2} at byte {at})";
            }
            if (at < 0)
            {
                return Truncated;
            }
        }
    }

    private static long ColorTableSize(byte packed) => (packed & 0x80) != 0 ? 3L << ((packed & 7) + 1) : 0;

    /// <summary>Skips data sub-blocks up to and including the zero-length terminator; -1 when the data ends first.</summary>
    private static long SkipSubBlocks(ReadOnlySpan<byte> data, long at)
    {
        while (at < data.Length)
        {
            var size = data[(int)at];
            at += 1 + size;
            if (size == 0)
            {
                return at;
            }
        }
        return -1;
    }

    /// <summary>
    /// A BMP's headers, read before any decoder: their sizes must be known ones, the pixel data must start inside the
    /// file, and the stated size must be within <paramref name="limits"/>.
    /// </summary>
    public static string? BmpHeaderProblem(ReadOnlySpan<byte> data, ImageLimits limits)
    {
        if (data.Length < 26)
        {
            return "is truncated (the BMP header is incomplete)";
        }
        var offset = BinaryPrimitives.ReadUInt32LittleEndian(data[10..]);
        var infoSize = BinaryPrimitives.ReadUInt32LittleEndian(data[14..]);
        if (infoSize is not (12 or 16 or 40 or 52 or 56 or 64 or 108 or 124))
        {
            return $"is corrupt (its BMP info header claims {infoSize} bytes, which no BMP version has)";
        }
        if (14 + infoSize > data.Length)
        {
            return "is truncated (the BMP header is incomplete)";
        }
        if (offset > data.Length)
        {
            return $"is corrupt (its BMP pixel data would start at byte {offset:N0} of a {data.Length:N0}-byte file)";
        }
        long width, height;
        if (infoSize == 12)
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(data[18..]);
            height = BinaryPrimitives.ReadUInt16LittleEndian(data[20..]);
        }
        else
        {
            width = BinaryPrimitives.ReadInt32LittleEndian(data[18..]);
            // Negative heights mean rows stored top-down.
            height = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(data[22..]));
        }
        return limits.SizeProblem(width, height);
    }

    /// <summary>A BMP's header states its pixel data offset; the pixels must fit in the file.</summary>
    public static string? BmpProblem(ReadOnlySpan<byte> data, int width, int height, int bitsPerPixel)
    {
        if (data.Length < 14)
        {
            return "is truncated (the BMP header is incomplete)";
        }
        var offset = BinaryPrimitives.ReadUInt32LittleEndian(data[10..]);
        var compression = data.Length >= 34 ? BinaryPrimitives.ReadUInt32LittleEndian(data[30..]) : 0;
        if (bitsPerPixel is not (1 or 2 or 4 or 8 or 16 or 24 or 32))
        {
            return $"is corrupt (the BMP header gives {bitsPerPixel} bits per pixel)";
        }
        if (compression is 0 or 3)
        {
            var stride = ((((long)width * bitsPerPixel) + 31) / 32) * 4;
            if (offset + (stride * height) > data.Length)
            {
                return "is truncated (the BMP's pixel data is shorter than its size)";
            }
        }
        return null;
    }

    /// <summary>
    /// A chunk's four-byte type (PNG, RIFF) for a message: as letters when they are printable ASCII, else in hex, since
    /// a damaged file's type bytes may hold a line break or a terminal escape.
    /// </summary>
    public static string ChunkName(ReadOnlySpan<byte> type)
    {
        foreach (var b in type)
        {
            if (b is < 0x20 or > 0x7E)
            {
                return "0x" + Convert.ToHexString(type);
            }
        }
        return System.Text.Encoding.ASCII.GetString(type);
    }
}
