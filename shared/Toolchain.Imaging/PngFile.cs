using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace Toolchain.Imaging;

/// <summary>
/// Reads a PNG's chunk structure before any decoder sees it, and hands the decoder a canonical copy when the file needs
/// one. ImageSharp 2.1 inflates every text chunk while identifying and decoding (a 204 KB zTXt bomb cost 13–18 s and
/// 1.15 GB), trips over image data split into 1-byte chunks, and fills image data that stops early with zeros; so:
/// <list type="bullet">
/// <item>text and ICC chunks (tEXt, zTXt, iTXt, iCCP) are dropped unread: nothing here uses them, and the compressed
/// ones are decompression bombs; an eXIf chunk over 64 KiB (more than any camera writes) is dropped too;</item>
/// <item>ancillary chunks with a bad CRC are dropped, as libpng does, and critical ones refuse the file;</item>
/// <item>the image data, one zlib stream over any number of IDAT chunks of any length (0 included), is handed over as
/// one IDAT chunk, and inflated once here to prove it is complete;</item>
/// <item>the size in IHDR is held to the <see cref="ImageLimits"/> before anything is inflated.</item>
/// </list>
/// </summary>
internal static class PngFile
{
    /// <summary>EXIF in a JPEG fits one 64 KiB segment; a PNG's eXIf chunk has no reason to be bigger.</summary>
    private const int MaxExifBytes = 64 * 1024;

    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Whether <paramref name="data"/> starts with the PNG signature.</summary>
    public static bool HasSignature(ReadOnlySpan<byte> data) => data.StartsWith(Signature);

    /// <summary>
    /// Checks the PNG in <paramref name="data"/> against its structure and <paramref name="limits"/>. Returns the problem
    /// (null when there is none) and, in <paramref name="canonical"/>, the bytes to decode when they differ from the file.
    /// </summary>
    public static string? Prepare(ReadOnlySpan<byte> data, ImageLimits limits, out byte[]? canonical)
    {
        canonical = null;
        if (!HasSignature(data))
        {
            return "is not a PNG (bad signature)";
        }
        var kept = new List<Range>();
        var imageData = new List<Range>();
        var header = default(PngHeader);
        var firstImageData = -1;
        var rewrite = false;
        var at = Signature.Length;
        while (true)
        {
            if (at + 8 > data.Length)
            {
                return "is truncated (the PNG ends before its IEND chunk)";
            }
            var length = BinaryPrimitives.ReadUInt32BigEndian(data[at..]);
            var type = data.Slice(at + 4, 4);
            if (length > int.MaxValue || at + 12L + length > data.Length)
            {
                return $"is truncated (PNG chunk {EncodedImageCheck.ChunkName(type)} runs past the end of the file)";
            }
            var body = data.Slice(at + 8, (int)length);
            var chunk = new Range(at, at + 12 + (int)length);
            var crcOk = Crc32.HashToUInt32(data.Slice(at + 4, 4 + (int)length)) == BinaryPrimitives.ReadUInt32BigEndian(data[(at + 8 + (int)length)..]);
            var critical = type[0] is >= (byte)'A' and <= (byte)'Z';
            if (critical && !crcOk)
            {
                return $"is corrupt (CRC mismatch in PNG chunk {EncodedImageCheck.ChunkName(type)})";
            }
            if (kept.Count == 0 && imageData.Count == 0 && !type.SequenceEqual("IHDR"u8))
            {
                return "is corrupt (the PNG does not start with an IHDR chunk)";
            }
            at = chunk.End.Value;
            if (type.SequenceEqual("IHDR"u8))
            {
                if (length != 13)
                {
                    return $"is corrupt (its IHDR chunk holds {length} bytes, not 13)";
                }
                header = PngHeader.Read(body);
                if (limits.SizeProblem(header.Width, header.Height) is { } tooBig)
                {
                    return tooBig;
                }
                kept.Add(chunk);
            }
            else if (type.SequenceEqual("IDAT"u8))
            {
                if (firstImageData < 0)
                {
                    firstImageData = kept.Count;
                }
                imageData.Add(new Range(chunk.Start.Value + 8, chunk.End.Value - 4));
            }
            else if (type.SequenceEqual("IEND"u8))
            {
                kept.Add(chunk);
                rewrite |= at != data.Length;
                break;
            }
            else if (!crcOk || IsUnused(type, length))
            {
                rewrite = true;
            }
            else
            {
                kept.Add(chunk);
            }
        }
        if (imageData.Count == 0)
        {
            return "is corrupt (the PNG has no image data)";
        }
        var compressed = Concatenate(data, imageData);
        if (ImageDataProblem(compressed, header) is { } problem)
        {
            return problem;
        }
        if (rewrite || imageData.Count != 1)
        {
            canonical = Rebuild(data, kept, firstImageData, compressed);
        }
        return null;
    }

    /// <summary>Chunks no decoder here needs, some of which inflate without bound.</summary>
    private static bool IsUnused(ReadOnlySpan<byte> type, uint length) =>
        type.SequenceEqual("tEXt"u8) || type.SequenceEqual("zTXt"u8) || type.SequenceEqual("iTXt"u8) || type.SequenceEqual("iCCP"u8)
        || (type.SequenceEqual("eXIf"u8) && length > MaxExifBytes);

    private static byte[] Concatenate(ReadOnlySpan<byte> data, List<Range> ranges)
    {
        var total = 0;
        foreach (var range in ranges)
        {
            total += range.End.Value - range.Start.Value;
        }
        var joined = new byte[total];
        var filled = 0;
        foreach (var range in ranges)
        {
            data[range].CopyTo(joined.AsSpan(filled));
            filled += range.End.Value - range.Start.Value;
        }
        return joined;
    }

    /// <summary>Signature, the kept chunks in order, and all image data as one IDAT where the first one stood.</summary>
    private static byte[] Rebuild(ReadOnlySpan<byte> data, List<Range> kept, int imageDataAt, byte[] compressed)
    {
        var size = Signature.Length + 12 + compressed.Length;
        foreach (var range in kept)
        {
            size += range.End.Value - range.Start.Value;
        }
        var output = new byte[size];
        var at = 0;
        void Append(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(output.AsSpan(at));
            at += bytes.Length;
        }
        Append(Signature);
        for (var i = 0; i <= kept.Count; i++)
        {
            if (i == imageDataAt)
            {
                BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(at), (uint)compressed.Length);
                "IDAT"u8.CopyTo(output.AsSpan(at + 4));
                compressed.CopyTo(output.AsSpan(at + 8));
                BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(at + 8 + compressed.Length),
                    Crc32.HashToUInt32(output.AsSpan(at + 4, 4 + compressed.Length)));
                at += 12 + compressed.Length;
            }
            if (i < kept.Count)
            {
                Append(data[kept[i]]);
            }
        }
        return output;
    }

    /// <summary>
    /// Chunks can be complete and CRC-correct while the compressed image data stops early (a writer cut short before
    /// the chunk was framed); ImageSharp then fills the rest with zeros. Inflating once, up to the size IHDR implies
    /// (already held to the limits), tells.
    /// </summary>
    private static string? ImageDataProblem(byte[] compressed, PngHeader header)
    {
        if (header.InflatedBytes() is not { } expected)
        {
            return $"is corrupt (its IHDR gives an invalid pixel format: colour type {header.ColorType}, bit depth {header.BitDepth})";
        }
        long inflated = 0;
        var scratch = ArrayPool<byte>.Shared.Rent((int)Math.Min(expected, 64 * 1024));
        try
        {
            using var zlib = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress);
            int read;
            while (inflated < expected && (read = zlib.Read(scratch)) > 0)
            {
                inflated += read;
            }
        }
        catch (InvalidDataException)
        {
            return "is corrupt (its image data is not a valid zlib stream)";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
        return inflated < expected
            ? $"is truncated (its image data holds {inflated:N0} of {expected:N0} bytes)"
            : null;
    }

    /// <summary>Width, height and pixel format from a PNG's IHDR chunk.</summary>
    private readonly record struct PngHeader(uint Width, uint Height, byte BitDepth, byte ColorType, bool Interlaced)
    {
        private static readonly (int X, int Y, int DX, int DY)[] Adam7 =
            [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

        public static PngHeader Read(ReadOnlySpan<byte> body) => new(
            BinaryPrimitives.ReadUInt32BigEndian(body), BinaryPrimitives.ReadUInt32BigEndian(body[4..]), body[8], body[9], body[12] == 1);

        /// <summary>Bytes the image data must inflate to (each row carries a filter byte); null for a format the standard does not allow.</summary>
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
            if (channels is not { } c)
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
}
