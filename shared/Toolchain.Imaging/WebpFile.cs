using System.Buffers.Binary;

namespace Toolchain.Imaging;

/// <summary>
/// Walks a WebP's RIFF chunks before any decoder sees them: the container and every chunk must fit in the file (the VP8
/// decoder reads past a cut as zeros and paints the rest of the picture grey), an image chunk (VP8 or VP8L) must be
/// there, and lossless data is bounded by <see cref="WebpLosslessCheck"/>. An animation becomes its first frame, as a
/// GIF does, since ImageSharp 2.1 decodes still WebP pictures only.
/// </summary>
internal static class WebpFile
{
    private static readonly uint Anmf = FourCC("ANMF"u8), Vp8x = FourCC("VP8X"u8), Alph = FourCC("ALPH"u8), Vp8 = FourCC("VP8 "u8),
        Vp8l = FourCC("VP8L"u8);

    /// <summary>
    /// The problem with <paramref name="data"/>, or null; <paramref name="canonical"/> is then the still picture to
    /// decode in its place (an animation's first frame), or null when the file is one.
    /// </summary>
    public static string? Prepare(ReadOnlySpan<byte> data, ImageLimits limits, out byte[]? canonical)
    {
        canonical = null;
        if (Walk(data, limits, out var firstFrame) is { } problem)
        {
            return problem;
        }
        if (firstFrame.Length == 0)
        {
            return null;
        }
        canonical = StillFromFrame(data.Slice(firstFrame.Start, firstFrame.Length));
        if (canonical is null)
        {
            return "is corrupt (the animated WebP's first frame holds no VP8 or VP8L image data)";
        }
        return Walk(canonical, limits, out _);
    }

    /// <summary>Checks the chunks; <paramref name="firstFrame"/> is the first ANMF chunk's payload, when there is one.</summary>
    private static string? Walk(ReadOnlySpan<byte> data, ImageLimits limits, out (int Start, int Length) firstFrame)
    {
        firstFrame = default;
        if (data.Length < 20)
        {
            return "is truncated (the WebP header is incomplete)";
        }
        long end = 8L + BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
        if (end > data.Length)
        {
            return $"is truncated (its RIFF header declares {end:N0} bytes, the file has {data.Length:N0})";
        }
        (int Width, int Height)? canvas = null, picture = null;
        (int Start, int Length)? alpha = null;
        int pictures = 0, alphas = 0;
        string? lossless = null;
        foreach (var (type, start, length) in new RiffChunks(data, 12, end))
        {
            if (length < 0)
            {
                return $"is truncated (its {EncodedImageCheck.ChunkName(data.Slice(start - 8, 4)).TrimEnd()} chunk ends past the data)";
            }
            var payload = data.Slice(start, length);
            if (type == Anmf && firstFrame.Length == 0)
            {
                firstFrame = (start, length);
            }
            else if (type == Vp8x && length >= 10 && canvas is null)
            {
                // The canvas size, stored minus one in 24 bits each.
                canvas = (1 + Read24(payload[4..]), 1 + Read24(payload[7..]));
            }
            else if (type == Alph && alphas++ == 0)
            {
                alpha = (start, length);
            }
            else if (type == Vp8 || type == Vp8l)
            {
                var lossy = type == Vp8;
                if (pictures++ == 0)
                {
                    picture = lossy ? Vp8Size(payload) : WebpLosslessCheck.HeaderSize(payload);
                }
                lossless ??= lossy ? null : WebpLosslessCheck.Vp8lProblem(payload, limits);
            }
        }
        if (firstFrame.Length > 0)
        {
            return null;
        }
        // One picture, one alpha plane, of the canvas's size, as libwebp requires of a still picture: which of two
        // ImageSharp would read, or at which size, is not a question worth answering for a hostile file.
        if (pictures == 0)
        {
            return "is corrupt (the WebP holds no VP8 or VP8L image data)";
        }
        if (pictures > 1 || alphas > 1)
        {
            return $"is corrupt (the WebP holds {pictures} image chunks and {alphas} alpha chunks; a still picture has one of each at most)";
        }
        if (picture is not { } size)
        {
            return "is corrupt (its image chunk has no frame header)";
        }
        if (canvas is { } c && c != size)
        {
            return $"is corrupt (its VP8X canvas is {c.Width}×{c.Height} but its picture is {size.Width}×{size.Height})";
        }
        return lossless
            ?? (alpha is { } a && canvas is not null ? WebpLosslessCheck.AlphaProblem(data.Slice(a.Start, a.Length), size.Width, size.Height, limits) : null);
    }

    /// <summary>A VP8 key frame's size: a 3-byte tag, the start code, then width and height in 14 bits each.</summary>
    private static (int Width, int Height)? Vp8Size(ReadOnlySpan<byte> payload) =>
        payload.Length >= 10 && payload[3..6].SequenceEqual((ReadOnlySpan<byte>)[0x9D, 0x01, 0x2A])
            ? (BinaryPrimitives.ReadUInt16LittleEndian(payload[6..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(payload[8..]) & 0x3FFF)
            : null;

    /// <summary>
    /// A still WebP of an ANMF payload's picture: its image chunk alone, or with its ALPH chunk under a VP8X header of
    /// the frame's size. Null when the frame holds no image chunk.
    /// </summary>
    private static byte[]? StillFromFrame(ReadOnlySpan<byte> frame)
    {
        // The frame's header: X and Y offsets, width and height (minus one), duration (24 bits each), then flags.
        const int HeaderLength = 16;
        if (frame.Length < HeaderLength)
        {
            return null;
        }
        int width = 1 + Read24(frame[6..]), height = 1 + Read24(frame[9..]);
        (int Start, int Length) alpha = default, picture = default;
        var lossless = false;
        foreach (var (type, start, length) in new RiffChunks(frame, HeaderLength, frame.Length))
        {
            if (length < 0)
            {
                return null;
            }
            if (type == Alph && alpha.Length == 0)
            {
                alpha = (start, length);
            }
            else if ((type == Vp8 || type == Vp8l) && picture.Length == 0)
            {
                picture = (start, length);
                lossless = type == Vp8l;
            }
        }
        if (picture.Length == 0)
        {
            return null;
        }
        using var still = new MemoryStream();
        still.Write("RIFF\0\0\0\0WEBP"u8);
        if (alpha.Length > 0 && !lossless)
        {
            Span<byte> header = stackalloc byte[10];
            header[0] = 0x10; // has alpha
            Write24(header[4..], width - 1);
            Write24(header[7..], height - 1);
            WriteChunk(still, "VP8X"u8, header);
            WriteChunk(still, "ALPH"u8, frame.Slice(alpha.Start, alpha.Length));
        }
        WriteChunk(still, lossless ? "VP8L"u8 : "VP8 "u8, frame.Slice(picture.Start, picture.Length));
        var bytes = still.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)(bytes.Length - 8));
        return bytes;
    }

    private static uint FourCC(ReadOnlySpan<byte> type) => BinaryPrimitives.ReadUInt32LittleEndian(type);

    /// <summary>
    /// The chunks from <paramref name="at"/> to <paramref name="end"/>, as (type, payload start, payload length), read in
    /// place: a file of many tiny chunks costs no allocation per chunk. A length of -1 marks a chunk that runs past the
    /// end, and ends the walk.
    /// </summary>
    private ref struct RiffChunks(ReadOnlySpan<byte> data, long at, long end)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private long _next = at;

        public (uint Type, int Start, int Length) Current { get; private set; }

        public readonly RiffChunks GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_next + 8 > end || Current.Length < 0)
            {
                return false;
            }
            var type = FourCC(_data.Slice((int)_next, 4));
            long size = BinaryPrimitives.ReadUInt32LittleEndian(_data[((int)_next + 4)..]);
            var start = (int)_next + 8;
            if (_next + 8 + size > end)
            {
                Current = (type, start, -1);
                return true;
            }
            Current = (type, start, (int)size);
            // Chunks are padded to an even length.
            _next += 8 + size + (size & 1);
            return true;
        }
    }

    private static void WriteChunk(MemoryStream stream, ReadOnlySpan<byte> type, ReadOnlySpan<byte> payload)
    {
        Span<byte> size = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(size, (uint)payload.Length);
        stream.Write(type);
        stream.Write(size);
        stream.Write(payload);
        if (payload.Length % 2 == 1)
        {
            stream.WriteByte(0);
        }
    }

    private static int Read24(ReadOnlySpan<byte> data) => data[0] | (data[1] << 8) | (data[2] << 16);

    private static void Write24(Span<byte> data, int value)
    {
        data[0] = (byte)value;
        data[1] = (byte)(value >> 8);
        data[2] = (byte)(value >> 16);
    }
}
