using System.Buffers.Binary;

namespace Toolchain.Imaging;

/// <summary>
/// Reads a lossless WebP stream (a VP8L chunk, or an ALPH chunk's compressed alpha) as far as the number of Huffman
/// groups its entropy image names, without decoding the picture. ImageSharp 2.1's reader allocates a full set of
/// Huffman tables (up to 40 KB) for every group up to the highest index it finds, where libwebp maps the indices that are
/// used: a 1.8 KB file naming group 65,535 made it allocate 1.5 GB. The count is bounded here, before it runs.
/// </summary>
/// <remarks>
/// The walk follows the VP8L format (transforms and their sub-images, colour cache, meta Huffman codes) and decodes
/// only the sub-images that come before the entropy image. The highest group is the highest of the entropy image's
/// literal pixels: backward references and colour-cache hits repeat earlier pixels, so they never raise it.
/// </remarks>
internal static class WebpLosslessCheck
{
    /// <summary>
    /// More groups than any encoder we know writes (libwebp clusters to a few hundred at most) and few enough that
    /// their tables stay within about 40 MB.
    /// </summary>
    public const int MaxHuffmanGroups = 1_000;

    private static readonly int[] CodeLengthOrder = [17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

    /// <summary>The problem with a VP8L chunk's payload (header included), or null.</summary>
    public static string? Vp8lProblem(ReadOnlySpan<byte> chunk, ImageLimits limits)
    {
        if (HeaderSize(chunk) is not var (width, height))
        {
            return "is corrupt (its VP8L chunk has no lossless WebP header)";
        }
        // After the 14-bit sizes: one bit saying whether alpha is used, then a 3-bit version, which must be 0.
        if (chunk[4] >> 5 != 0)
        {
            return "is corrupt (its VP8L header names an unknown version)";
        }
        var bits = new BitReader(chunk[5..]);
        return limits.SizeProblem(width, height) ?? StreamProblem(ref bits, width, height, "VP8L");
    }

    /// <summary>A VP8L stream's size: its signature byte, then width and height minus one in 14 bits each; null without one.</summary>
    public static (int Width, int Height)? HeaderSize(ReadOnlySpan<byte> chunk)
    {
        if (chunk.Length < 5 || chunk[0] != 0x2F)
        {
            return null;
        }
        var bits = BinaryPrimitives.ReadUInt32LittleEndian(chunk[1..]);
        return ((int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1);
    }

    /// <summary>
    /// The problem with an ALPH chunk's payload whose alpha is compressed losslessly (a VP8L stream without its header,
    /// of the canvas's size), or null; other compression methods hold no Huffman codes.
    /// </summary>
    public static string? AlphaProblem(ReadOnlySpan<byte> chunk, long width, long height, ImageLimits limits)
    {
        if (chunk.Length < 1 || (chunk[0] & 3) != 1)
        {
            return null;
        }
        if (limits.SizeProblem(width, height) is { } size)
        {
            return size;
        }
        var bits = new BitReader(chunk[1..]);
        return StreamProblem(ref bits, (int)width, (int)height, "ALPH");
    }

    private static string? StreamProblem(ref BitReader bits, int width, int height, string chunk)
    {
        try
        {
            var groups = Groups(ref bits, width, height);
            return groups > MaxHuffmanGroups
                ? $"is a lossless WebP whose {chunk} data names {groups:N0} Huffman groups, over the {MaxHuffmanGroups:N0} we read (each costs the decoder up to 40 KB)"
                : null;
        }
        catch (FormatException e)
        {
            return $"is a corrupt WebP image (its {chunk} data {e.Message})";
        }
    }

    /// <summary>The number of Huffman groups the main image's entropy image names (1 without one).</summary>
    private static int Groups(ref BitReader bits, int width, int height)
    {
        var seen = 0;
        while (bits.Read(1) == 1)
        {
            var type = (int)bits.Read(2);
            if ((seen & (1 << type)) != 0)
            {
                throw new FormatException("repeats a transform");
            }
            seen |= 1 << type;
            switch (type)
            {
                case 0 or 1:
                    {
                        var sizeBits = (int)bits.Read(3) + 2;
                        SubImageMaxGroup(ref bits, SubSample(width, sizeBits), SubSample(height, sizeBits));
                        break;
                    }
                case 3:
                    {
                        var colours = (int)bits.Read(8) + 1;
                        SubImageMaxGroup(ref bits, colours, 1);
                        width = SubSample(width, colours > 16 ? 0 : colours > 4 ? 1 : colours > 2 ? 2 : 3);
                        break;
                    }
            }
        }
        ReadColourCacheBits(ref bits);
        if (bits.Read(1) == 0)
        {
            return 1;
        }
        var precision = (int)bits.Read(3) + 2;
        return SubImageMaxGroup(ref bits, SubSample(width, precision), SubSample(height, precision)) + 1;
    }

    /// <summary>
    /// Decodes a sub-image's symbols (it has no transforms and one set of codes) to its end; returns the highest
    /// group (red and green bytes) among its literal pixels.
    /// </summary>
    private static int SubImageMaxGroup(ref BitReader bits, int width, int height)
    {
        var cacheSize = ReadColourCacheBits(ref bits) is var cacheBits and > 0 ? 1 << cacheBits : 0;
        var green = HuffmanCode.Read(ref bits, 256 + 24 + cacheSize);
        var red = HuffmanCode.Read(ref bits, 256);
        var blue = HuffmanCode.Read(ref bits, 256);
        var alpha = HuffmanCode.Read(ref bits, 256);
        var distance = HuffmanCode.Read(ref bits, 40);
        long total = (long)width * height, at = 0;
        var max = 0;
        while (at < total)
        {
            var g = green.Decode(ref bits);
            if (g < 256)
            {
                var r = red.Decode(ref bits);
                blue.Decode(ref bits);
                alpha.Decode(ref bits);
                max = Math.Max(max, (r << 8) | g);
                at++;
            }
            else if (g < 256 + 24)
            {
                var length = PrefixValue(ref bits, g - 256);
                PrefixValue(ref bits, distance.Decode(ref bits));
                if (at + length > total)
                {
                    throw new FormatException("copies past the end of a sub-image");
                }
                at += length;
            }
            else
            {
                at++;
            }
        }
        return max;
    }

    private static int ReadColourCacheBits(ref BitReader bits)
    {
        if (bits.Read(1) == 0)
        {
            return 0;
        }
        var cacheBits = (int)bits.Read(4);
        return cacheBits is >= 1 and <= 11 ? cacheBits : throw new FormatException($"has {cacheBits} colour cache bits");
    }

    /// <summary>A length or distance from its prefix symbol and extra bits.</summary>
    private static int PrefixValue(ref BitReader bits, int symbol)
    {
        if (symbol < 4)
        {
            return symbol + 1;
        }
        var extra = (symbol - 2) >> 1;
        var offset = (2 + (symbol & 1)) << extra;
        return offset + (int)bits.Read(extra) + 1;
    }

    private static int SubSample(int size, int sampleBits) => (size + (1 << sampleBits) - 1) >> sampleBits;

    /// <summary>The VP8L bit stream: least significant bit first; reading past the end is an error, not zeros.</summary>
    private ref struct BitReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private long _position;

        public uint Read(int count)
        {
            uint value = 0;
            for (var i = 0; i < count; i++)
            {
                if (_position >> 3 >= _data.Length)
                {
                    throw new FormatException("ends early");
                }
                value |= (uint)((_data[(int)(_position >> 3)] >> (int)(_position & 7)) & 1) << i;
                _position++;
            }
            return value;
        }
    }

    /// <summary>A canonical prefix code, decoded a bit at a time (first bit read is the code's most significant).</summary>
    private sealed class HuffmanCode
    {
        private const int MaxLength = 15;
        private readonly int[] _counts = new int[MaxLength + 1];
        private readonly int[] _symbols;
        private readonly int _single = -1;

        private HuffmanCode(int[] lengths)
        {
            _symbols = new int[lengths.Length];
            var used = 0;
            for (var s = 0; s < lengths.Length; s++)
            {
                if (lengths[s] > 0)
                {
                    _counts[lengths[s]]++;
                    used++;
                }
            }
            if (used == 0)
            {
                throw new FormatException("has an empty Huffman code");
            }
            if (used == 1)
            {
                // One symbol is read with no bits.
                _single = Array.FindIndex(lengths, l => l > 0);
                return;
            }
            long left = 1;
            for (var length = 1; length <= MaxLength; length++)
            {
                left = (left << 1) - _counts[length];
                if (left < 0)
                {
                    throw new FormatException("has an over-subscribed Huffman code");
                }
            }
            if (left != 0)
            {
                throw new FormatException("has an incomplete Huffman code");
            }
            var offsets = new int[MaxLength + 2];
            for (var length = 1; length <= MaxLength; length++)
            {
                offsets[length + 1] = offsets[length] + _counts[length];
            }
            for (var s = 0; s < lengths.Length; s++)
            {
                if (lengths[s] > 0)
                {
                    _symbols[offsets[lengths[s]]++] = s;
                }
            }
        }

        public static HuffmanCode Read(ref BitReader bits, int alphabet)
        {
            var lengths = new int[alphabet];
            if (bits.Read(1) == 1)
            {
                var count = (int)bits.Read(1) + 1;
                var first = (int)bits.Read(bits.Read(1) == 0 ? 1 : 8);
                Set(lengths, first);
                if (count == 2)
                {
                    Set(lengths, (int)bits.Read(8));
                }
                return new HuffmanCode(lengths);
            }
            var codeLengthLengths = new int[CodeLengthOrder.Length];
            var codes = (int)bits.Read(4) + 4;
            for (var i = 0; i < codes; i++)
            {
                codeLengthLengths[CodeLengthOrder[i]] = (int)bits.Read(3);
            }
            var lengthCode = new HuffmanCode(codeLengthLengths);
            var max = alphabet;
            if (bits.Read(1) == 1)
            {
                var lengthBits = 2 + (2 * (int)bits.Read(3));
                max = 2 + (int)bits.Read(lengthBits);
                if (max > alphabet)
                {
                    throw new FormatException("has more code lengths than symbols");
                }
            }
            var previous = 8;
            for (var symbol = 0; symbol < alphabet && max-- > 0;)
            {
                var length = lengthCode.Decode(ref bits);
                if (length < 16)
                {
                    lengths[symbol++] = length;
                    previous = length != 0 ? length : previous;
                    continue;
                }
                var slot = length - 16;
                var repeat = (int)bits.Read(slot switch { 0 => 2, 1 => 3, _ => 7 }) + (slot == 2 ? 11 : 3);
                if (symbol + repeat > alphabet)
                {
                    throw new FormatException("repeats a code length past its alphabet");
                }
                Array.Fill(lengths, slot == 0 ? previous : 0, symbol, repeat);
                symbol += repeat;
            }
            return new HuffmanCode(lengths);
        }

        private static void Set(int[] lengths, int symbol)
        {
            if (symbol >= lengths.Length)
            {
                throw new FormatException("names a symbol outside its alphabet");
            }
            lengths[symbol] = 1;
        }

        public int Decode(ref BitReader bits)
        {
            if (_single >= 0)
            {
                return _single;
            }
            int code = 0, first = 0, index = 0;
            for (var length = 1; length <= MaxLength; length++)
            {
                code |= (int)bits.Read(1);
                var count = _counts[length];
                if (code - first < count)
                {
                    return _symbols[index + code - first];
                }
                index += count;
                first = (first + count) << 1;
                code <<= 1;
            }
            throw new FormatException("holds an invalid Huffman code");
        }
    }
}
