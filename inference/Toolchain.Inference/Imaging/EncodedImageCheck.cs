using System.Buffers.Binary;

namespace Toolchain.Inference.Imaging;

/// <summary>
/// Structural checks that decoders skip: ImageSharp decodes a truncated PNG or JPEG into a partly grey picture and does
/// not verify every chunk's CRC, and a classifier must not quietly answer for half an image.
/// </summary>
internal static class EncodedImageCheck
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>The problem with a PNG's chunk structure, or null when every chunk is complete with a correct CRC.</summary>
    public static string? PngProblem(ReadOnlySpan<byte> data)
    {
        if (!data.StartsWith(PngSignature))
        {
            return "is not a PNG (bad signature)";
        }
        var at = PngSignature.Length;
        var first = true;
        var header = default(PngHeader);
        var imageData = new List<Range>();
        while (true)
        {
            if (at + 8 > data.Length)
            {
                return "is truncated (the PNG ends before its IEND chunk)";
            }
            var length = BinaryPrimitives.ReadUInt32BigEndian(data[at..]);
            var type = data.Slice(at + 4, 4);
            var typeName = System.Text.Encoding.ASCII.GetString(type);
            if (length > int.MaxValue || at + 12L + length > data.Length)
            {
                return $"is truncated (PNG chunk {typeName} runs past the end of the file)";
            }
            if (first && typeName != "IHDR")
            {
                return "is corrupt (the PNG does not start with an IHDR chunk)";
            }
            first = false;
            var stored = BinaryPrimitives.ReadUInt32BigEndian(data[(at + 8 + (int)length)..]);
            // Only critical chunks (upper-case first letter) matter: a damaged tEXt or iTXt does not change a pixel,
            // and libpng and browsers only warn about it.
            var critical = type[0] is >= (byte)'A' and <= (byte)'Z';
            if (critical && Crc(data.Slice(at + 4, 4 + (int)length)) != stored)
            {
                return $"is corrupt (CRC mismatch in PNG chunk {typeName})";
            }
            if (typeName == "IHDR" && length >= 13)
            {
                header = new PngHeader(BinaryPrimitives.ReadUInt32BigEndian(data[(at + 8)..]), BinaryPrimitives.ReadUInt32BigEndian(data[(at + 12)..]),
                    data[at + 16], data[at + 17], data[at + 20] == 1);
            }
            else if (typeName == "IDAT")
            {
                imageData.Add(new Range(at + 8, at + 8 + (int)length));
            }
            at += 12 + (int)length;
            if (typeName == "IEND")
            {
                return ImageDataProblem(data, imageData, header);
            }
        }
    }

    /// <summary>Width, height and pixel format from a PNG's IHDR chunk.</summary>
    private readonly record struct PngHeader(uint Width, uint Height, byte BitDepth, byte ColorType, bool Interlaced)
    {
        private static readonly (int X, int Y, int DX, int DY)[] Adam7 =
            [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

        /// <summary>
        /// Bytes the image data must inflate to (each row carries a filter byte); null for a format the PNG standard
        /// does not allow or a size over <see cref="DigitPreprocessor.MaxPixels"/>, which the decoder refuses anyway and
        /// which must not make this check inflate gigabytes.
        /// </summary>
        public long? InflatedBytes()
        {
            long? channels = (ColorType, BitDepth) switch
            {
                (0, 1 or 2 or 4 or 8 or 16) => 1,
                (2, 8 or 16) => 3,
                (3, 1 or 2 or 4 or 8) => 1,
                (4, 8 or 16) => 2,
                (6, 8 or 16) => 4,
                _ => null,
            };
            if (channels is not { } c || Width == 0 || Height == 0 || (long)Width * Height > DigitPreprocessor.MaxPixels)
            {
                return null;
            }
            var bits = c * BitDepth;
            long width = Width, height = Height;
            long Rows(long w, long h) => w == 0 || h == 0 ? 0 : h * (1 + (((w * bits) + 7) / 8));
            return Interlaced
                ? Adam7.Sum(p => Rows((width - p.X + p.DX - 1) / p.DX, (height - p.Y + p.DY - 1) / p.DY))
                : Rows(width, height);
        }
    }

    /// <summary>
    /// Chunks can be complete and CRC-correct while the compressed image data stops early (a writer cut short before
    /// the chunk was framed); ImageSharp then fills the rest with zeros. Inflating once tells.
    /// </summary>
    private static string? ImageDataProblem(ReadOnlySpan<byte> data, List<Range> imageData, PngHeader header)
    {
        if (imageData.Count == 0)
        {
            return "is corrupt (the PNG has no image data)";
        }
        if (header.InflatedBytes() is not { } expected)
        {
            return null;
        }
        var compressed = new byte[imageData.Sum(r => r.End.Value - r.Start.Value)];
        var filled = 0;
        foreach (var range in imageData)
        {
            data[range].CopyTo(compressed.AsSpan(filled));
            filled += range.End.Value - range.Start.Value;
        }
        long inflated = 0;
        var scratch = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Min(expected, 64 * 1024));
        try
        {
            using var zlib = new System.IO.Compression.ZLibStream(new MemoryStream(compressed), System.IO.Compression.CompressionMode.Decompress);
            int read;
            while (inflated < expected && (read = zlib.Read(scratch)) > 0)
            {
                inflated += read;
            }
        }
        catch (InvalidDataException e)
        {
            return $"is corrupt (its image data does not decompress: {e.Message})";
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
        }
        return inflated < expected
            ? $"is truncated (its image data holds {inflated:N0} of {expected:N0} bytes)"
            : null;
    }

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

    /// <summary>A BMP's header states its pixel data offset; the pixels must fit in the file.</summary>
    public static string? BmpProblem(ReadOnlySpan<byte> data, int width, int height, int bitsPerPixel)
    {
        if (data.Length < 14)
        {
            return "is truncated (the BMP header is incomplete)";
        }
        var offset = BinaryPrimitives.ReadUInt32LittleEndian(data[10..]);
        var compression = data.Length >= 34 ? BinaryPrimitives.ReadUInt32LittleEndian(data[30..]) : 0;
        if (compression is 0 or 3 && bitsPerPixel > 0)
        {
            var stride = ((((long)width * bitsPerPixel) + 31) / 32) * 4;
            if (offset + (stride * height) > data.Length)
            {
                return "is truncated (the BMP's pixel data is shorter than its size)";
            }
        }
        return null;
    }

    private static uint Crc(ReadOnlySpan<byte> bytes)
    {
        var c = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        }
        return c ^ 0xFFFFFFFFu;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }
            table[n] = c;
        }
        return table;
    }
}
