using System.Buffers.Binary;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Toolchain.TestSupport;

/// <summary>How a test picture is stored, i.e. how a user might have saved a drawing.</summary>
public enum ImageStyle
{
    /// <summary>Black ink on white paper, 8-bit grey PNG.</summary>
    DarkOnLightGray8,
    /// <summary>Black ink on white paper, 16-bit grey PNG.</summary>
    DarkOnLightGray16,
    /// <summary>Black ink on white paper, 1-bit grey PNG (thresholded at half ink).</summary>
    DarkOnLightGray1,
    /// <summary>Black ink on white paper, 4-bit grey PNG.</summary>
    DarkOnLightGray4,
    /// <summary>Black ink on a transparent background, 16-bit-per-channel RGBA PNG.</summary>
    BlackInkTransparentRgba64,
    /// <summary>Black ink on white paper, palette PNG.</summary>
    DarkOnLightPalette,
    /// <summary>Dark blue ink on cream paper, RGB PNG.</summary>
    DarkOnLightRgb,
    /// <summary>Black ink on white paper, 16-bit-per-channel RGB PNG.</summary>
    DarkOnLightRgb48,
    /// <summary>Black ink on a transparent background (alpha = ink), RGBA PNG: transparent pixels store black too.</summary>
    BlackInkTransparentRgba,
    /// <summary>Black ink on a transparent background, grey+alpha PNG.</summary>
    BlackInkTransparentGrayAlpha,
    /// <summary>
    /// White ink on a transparent background (alpha = ink), RGBA PNG, as a canvas with a dark page behind it exports
    /// strokes; transparent pixels store black.
    /// </summary>
    WhiteInkTransparentRgba,
    /// <summary>White ink on black, as MNIST stores digits, 8-bit grey PNG.</summary>
    WhiteOnBlackGray8,
    /// <summary>Black ink on white, JPEG quality 75.</summary>
    DarkOnLightJpeg,
    /// <summary>Black ink on white, 24-bit BMP.</summary>
    DarkOnLightBmp,
    /// <summary>Black ink on white, GIF.</summary>
    DarkOnLightGif,
    /// <summary>Black ink on white, lossy WebP (VP8) at quality 75.</summary>
    DarkOnLightWebpLossy,
    /// <summary>Black ink on a transparent background (alpha = ink), lossless WebP (VP8L).</summary>
    BlackInkTransparentWebpLossless,
}

/// <summary>Synthetic drawings, real MNIST digits rendered as users save them, and malformed image files.</summary>
public static class TestImages
{
    /// <summary>The width and height a PNG file's header gives; fails for a file that is not a PNG.</summary>
    public static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (!bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            throw new InvalidDataException($"{path} is not a PNG");
        }
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    /// <summary>Ink coverage in [0,1] of thick line segments (anti-aliased over one pixel) on a width×height canvas.</summary>
    public static float[] Strokes(int width, int height, double thickness, params (double X0, double Y0, double X1, double Y1)[] segments)
    {
        var ink = new float[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                double px = x + 0.5, py = y + 0.5, best = double.MaxValue;
                foreach (var (x0, y0, x1, y1) in segments)
                {
                    double dx = x1 - x0, dy = y1 - y0;
                    var len2 = (dx * dx) + (dy * dy);
                    var t = len2 == 0 ? 0 : Math.Clamp((((px - x0) * dx) + ((py - y0) * dy)) / len2, 0, 1);
                    var ex = px - (x0 + (t * dx));
                    var ey = py - (y0 + (t * dy));
                    best = Math.Min(best, Math.Sqrt((ex * ex) + (ey * ey)));
                }
                ink[(y * width) + x] = (float)Math.Clamp((thickness / 2) - best + 0.5, 0, 1);
            }
        }
        return ink;
    }

    /// <summary>A "7" drawn with strokes in a box at (left, top) of the given size.</summary>
    public static float[] Seven(int width, int height, double left, double top, double size, double thickness) =>
        Strokes(width, height, thickness,
            (left, top, left + (size * 0.6), top),
            (left + (size * 0.6), top, left + (size * 0.2), top + size));

    /// <summary>Encodes ink coverage (1 = ink) as a picture file in <paramref name="style"/>.</summary>
    public static byte[] Encode(float[] ink, int width, int height, ImageStyle style)
    {
        switch (style)
        {
            case ImageStyle.BlackInkTransparentRgba:
                {
                    using var image = new Image<Rgba32>(width, height);
                    Fill(image, ink, v => new Rgba32(0, 0, 0, ToByte(v)));
                    return Save(image, new PngEncoder { ColorType = PngColorType.RgbWithAlpha });
                }
            case ImageStyle.BlackInkTransparentWebpLossless:
                {
                    using var image = new Image<Rgba32>(width, height);
                    Fill(image, ink, v => new Rgba32(0, 0, 0, ToByte(v)));
                    return Save(image, new WebpEncoder { FileFormat = WebpFileFormatType.Lossless });
                }
            case ImageStyle.WhiteInkTransparentRgba:
                {
                    using var image = new Image<Rgba32>(width, height);
                    Fill(image, ink, v => v > 0 ? new Rgba32(255, 255, 255, ToByte(v)) : new Rgba32(0, 0, 0, 0));
                    return Save(image, new PngEncoder { ColorType = PngColorType.RgbWithAlpha });
                }
            case ImageStyle.BlackInkTransparentRgba64:
                {
                    using var image = new Image<Rgba64>(width, height);
                    Fill(image, ink, v => new Rgba64(0, 0, 0, (ushort)Math.Round(Math.Clamp(v, 0, 1) * 65535)));
                    return Save(image, new PngEncoder { ColorType = PngColorType.RgbWithAlpha, BitDepth = PngBitDepth.Bit16 });
                }
            case ImageStyle.DarkOnLightGray1:
                {
                    using var image = new Image<L8>(width, height);
                    Fill(image, ink, v => new L8(v >= 0.5f ? (byte)0 : (byte)255));
                    return Save(image, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit1 });
                }
            case ImageStyle.DarkOnLightGray4:
                {
                    using var image = new Image<L8>(width, height);
                    Fill(image, ink, v => new L8(ToByte(1 - v)));
                    return Save(image, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit4 });
                }
            case ImageStyle.BlackInkTransparentGrayAlpha:
                {
                    using var image = new Image<La16>(width, height);
                    Fill(image, ink, v => new La16(0, ToByte(v)));
                    return Save(image, new PngEncoder { ColorType = PngColorType.GrayscaleWithAlpha });
                }
            case ImageStyle.DarkOnLightGray16:
                {
                    using var image = new Image<L16>(width, height);
                    Fill(image, ink, v => new L16((ushort)Math.Round((1 - v) * 65535)));
                    return Save(image, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit16 });
                }
            case ImageStyle.DarkOnLightRgb48:
                {
                    using var image = new Image<Rgb48>(width, height);
                    Fill(image, ink, v =>
                    {
                        var c = (ushort)Math.Round((1 - v) * 65535);
                        return new Rgb48(c, c, c);
                    });
                    return Save(image, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit16 });
                }
            case ImageStyle.DarkOnLightRgb:
                {
                    using var image = new Image<Rgb24>(width, height);
                    // Cream paper (250,240,220), dark blue ink (20,30,90).
                    Fill(image, ink, v => new Rgb24(Mix(250, 20, v), Mix(240, 30, v), Mix(220, 90, v)));
                    return Save(image, new PngEncoder { ColorType = PngColorType.Rgb });
                }
            case ImageStyle.WhiteOnBlackGray8:
                {
                    using var image = new Image<L8>(width, height);
                    Fill(image, ink, v => new L8(ToByte(v)));
                    return Save(image, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 });
                }
            default:
                {
                    using var image = new Image<L8>(width, height);
                    Fill(image, ink, v => new L8(ToByte(1 - v)));
                    IImageEncoder encoder = style switch
                    {
                        ImageStyle.DarkOnLightGray8 => new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 },
                        ImageStyle.DarkOnLightPalette => new PngEncoder { ColorType = PngColorType.Palette },
                        ImageStyle.DarkOnLightJpeg => new JpegEncoder { Quality = 75 },
                        ImageStyle.DarkOnLightBmp => new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel24 },
                        ImageStyle.DarkOnLightGif => new GifEncoder(),
                        ImageStyle.DarkOnLightWebpLossy => new WebpEncoder { FileFormat = WebpFileFormatType.Lossy, Quality = 75 },
                        _ => throw new ArgumentOutOfRangeException(nameof(style)),
                    };
                    return Save(image, encoder);
                }
        }
    }

    /// <summary>
    /// Renders a 28×28 MNIST digit as a user would save it: black ink on white (inverted), enlarged
    /// <paramref name="scale"/>× with bilinear smoothing, placed at (left, top) on a canvas.
    /// </summary>
    public static float[] RenderMnistOnCanvas(ReadOnlySpan<byte> digit, int canvasWidth, int canvasHeight, int left, int top, int scale)
    {
        var ink = new float[canvasWidth * canvasHeight];
        for (var y = 0; y < 28 * scale; y++)
        {
            for (var x = 0; x < 28 * scale; x++)
            {
                var sx = Math.Clamp(((x + 0.5) / scale) - 0.5, 0, 27);
                var sy = Math.Clamp(((y + 0.5) / scale) - 0.5, 0, 27);
                int x0 = (int)sx, y0 = (int)sy, x1 = Math.Min(x0 + 1, 27), y1 = Math.Min(y0 + 1, 27);
                double fx = sx - x0, fy = sy - y0;
                var v = ((digit[(y0 * 28) + x0] * (1 - fx) * (1 - fy)) + (digit[(y0 * 28) + x1] * fx * (1 - fy))
                    + (digit[(y1 * 28) + x0] * (1 - fx) * fy) + (digit[(y1 * 28) + x1] * fx * fy)) / 255.0;
                ink[((y + top) * canvasWidth) + x + left] = (float)v;
            }
        }
        return ink;
    }

    /// <summary>
    /// A JPEG as a phone saves a portrait shot: the pixels stored turned 90° clockwise, with EXIF orientation 8
    /// telling viewers to turn them back, so it displays as <paramref name="ink"/> drawn dark on light.
    /// </summary>
    public static byte[] JpegTurnedByExif(float[] ink, int width, int height)
    {
        using var image = new Image<L8>(width, height);
        Fill(image, ink, v => new L8(ToByte(1 - v)));
        image.Mutate(x => x.Rotate(RotateMode.Rotate90));
        image.Metadata.ExifProfile = new ExifProfile();
        image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)8);
        return Save(image, new JpegEncoder { Quality = 95 });
    }

    /// <summary>
    /// An animated GIF of <paramref name="frames"/> identical <paramref name="side"/>² frames of a black block on white:
    /// small on disk, as every frame compresses to almost nothing, but large once every frame is decoded.
    /// </summary>
    public static byte[] AnimatedGif(int side, int frames)
    {
        using var image = new Image<L8>(side, side, new L8(255));
        for (var y = side / 4; y < side * 3 / 4; y++)
        {
            for (var x = side / 3; x < side * 2 / 3; x++)
            {
                image[x, y] = new L8(0);
            }
        }
        var single = Save(image, new GifEncoder());
        // Header and colour table, then one frame's blocks, then the 0x3B trailer: repeat the frame's blocks.
        var flags = single[10];
        var frameStart = 13 + ((flags & 0x80) != 0 ? 3 * (2 << (flags & 7)) : 0);
        var frame = single.AsSpan(frameStart, single.Length - 1 - frameStart);
        using var stream = new MemoryStream();
        stream.Write(single.AsSpan(0, frameStart));
        for (var i = 0; i < frames; i++)
        {
            stream.Write(frame);
        }
        stream.WriteByte(0x3B);
        return stream.ToArray();
    }

    /// <summary>
    /// A WebP of the given RIFF chunks (FourCC, payload), each padded to an even length, with the RIFF size that fits
    /// them: for files real encoders would not write (animations, a canvas header with no image).
    /// </summary>
    public static byte[] BuildWebp(params (string Type, byte[] Data)[] chunks)
    {
        using var stream = new MemoryStream();
        stream.Write("RIFF\0\0\0\0WEBP"u8);
        Span<byte> size = stackalloc byte[4];
        foreach (var (type, data) in chunks)
        {
            stream.Write(System.Text.Encoding.ASCII.GetBytes(type));
            BinaryPrimitives.WriteUInt32LittleEndian(size, (uint)data.Length);
            stream.Write(size);
            stream.Write(data);
            if (data.Length % 2 == 1)
            {
                stream.WriteByte(0);
            }
        }
        var webp = stream.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(webp.AsSpan(4), (uint)(webp.Length - 8));
        return webp;
    }

    /// <summary>The RIFF chunks (FourCC, payload) of a well-formed WebP.</summary>
    public static List<(string Type, byte[] Data)> WebpChunks(byte[] webp)
    {
        var chunks = new List<(string, byte[])>();
        for (var at = 12; at + 8 <= webp.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(webp.AsSpan(at + 4));
            chunks.Add((System.Text.Encoding.ASCII.GetString(webp, at, 4), webp[(at + 8)..(at + 8 + length)]));
            at += 8 + length + (length % 2);
        }
        return chunks;
    }

    /// <summary>
    /// The same 96×80 picture (a colour gradient in an opaque ellipse on a transparent background) as written by
    /// libwebp's cwebp 1.2.4: <c>cwebp-source.png</c> is the PNG, <c>cwebp-lossless.webp</c> came from
    /// <c>-lossless -z 9</c>, <c>cwebp-lossy-alpha.webp</c> from <c>-q 80 -alpha_method 1 -alpha_filter best</c> (VP8 with
    /// its alpha compressed losslessly in an ALPH chunk). Real encoders' files, where our own tests otherwise write
    /// WebP with ImageSharp's encoder.
    /// </summary>
    public static byte[] CwebpFixture(string name) => File.ReadAllBytes(Checkout.PathOf($"tests/Toolchain.TestSupport/Fixtures/{name}"));

    /// <summary>
    /// A lossless WebP (<paramref name="width"/>×<paramref name="height"/>) whose entropy image names Huffman group
    /// <paramref name="group"/> for every block, and which ends there: the 48-byte decompression bomb for decoders that
    /// allocate tables for every group up to the highest (ImageSharp 2.1 allocated 1.5 GB for group 65,535).
    /// </summary>
    public static byte[] LosslessWebpNamingGroup(int group, int width = 64, int height = 64)
    {
        var bits = new List<bool>();
        void Write(int value, int count)
        {
            for (var i = 0; i < count; i++)
            {
                bits.Add(((value >> i) & 1) == 1);
            }
        }
        // A one-symbol "simple" code: its symbol costs no bits, so every pixel of the entropy image is the same.
        void SimpleCode(int symbol)
        {
            Write(1, 1);
            Write(0, 1);
            Write(symbol < 2 ? 0 : 1, 1);
            Write(symbol, symbol < 2 ? 1 : 8);
        }
        Write(width - 1, 14);
        Write(height - 1, 14);
        Write(0, 4); // no alpha, version 0
        Write(0, 1); // no transform
        Write(0, 1); // no colour cache
        Write(1, 1); // meta Huffman codes: an entropy image follows
        Write(0, 3); // one group per 4×4 block
        Write(0, 1); // the entropy image has no colour cache
        SimpleCode(group & 0xFF); // green: the group's low byte
        SimpleCode(group >> 8); // red: its high byte
        SimpleCode(0);
        SimpleCode(0);
        SimpleCode(0);
        var stream = new byte[1 + ((bits.Count + 7) / 8) + 16];
        stream[0] = 0x2F;
        for (var i = 0; i < bits.Count; i++)
        {
            stream[1 + (i / 8)] |= (byte)((bits[i] ? 1 : 0) << (i % 8));
        }
        return BuildWebp(("VP8L", stream));
    }

    /// <summary>
    /// A VP8X (extended WebP) header chunk's payload: the feature flags, then the canvas size stored minus one in 24
    /// bits each, so up to 16,777,216 per side.
    /// </summary>
    public static byte[] Vp8xHeader(int width, int height, bool animated = false, bool alpha = false)
    {
        var data = new byte[10];
        data[0] = (byte)((animated ? 0x02 : 0) | (alpha ? 0x10 : 0));
        for (var i = 0; i < 3; i++)
        {
            data[4 + i] = (byte)((width - 1) >> (8 * i));
            data[7 + i] = (byte)((height - 1) >> (8 * i));
        }
        return data;
    }

    /// <summary>
    /// A PNG whose IHDR claims <paramref name="width"/>×<paramref name="height"/> (and <paramref name="bitDepth"/> bits
    /// of grey) in a file of a few dozen bytes.
    /// </summary>
    public static byte[] PngWithHugeHeader(int width = 60000, int height = 60000, byte bitDepth = 8)
    {
        using var image = new Image<L8>(1, 1);
        var png = Save(image, new PngEncoder { ColorType = PngColorType.Grayscale });
        // IHDR data starts at 16: width and height big-endian, then the bit depth; recompute its CRC so only the
        // header's claims are implausible.
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), height);
        png[24] = bitDepth;
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), Crc32(png.AsSpan(12, 17)));
        return png;
    }

    /// <summary>A valid PNG with one byte of its IDAT data flipped, so the chunk's CRC no longer matches.</summary>
    public static byte[] PngWithBadCrc(byte[] png)
    {
        var copy = (byte[])png.Clone();
        var at = 8;
        while (at < copy.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(copy.AsSpan(at));
            if (System.Text.Encoding.ASCII.GetString(copy, at + 4, 4) == "IDAT")
            {
                copy[at + 8 + (length / 2)] ^= 0x01;
                return copy;
            }
            at += 12 + length;
        }
        throw new ArgumentException("no IDAT chunk");
    }

    /// <summary>
    /// A PNG whose image data is cut to <paramref name="keep"/> bytes inside a correctly framed IDAT chunk (length and
    /// CRC recomputed), as a writer that stopped early leaves it: every chunk checks out, the pixels do not.
    /// </summary>
    public static byte[] PngWithShortImageData(byte[] png, int keep)
    {
        var at = 8;
        while (at < png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            if (System.Text.Encoding.ASCII.GetString(png, at + 4, 4) == "IDAT")
            {
                keep = Math.Min(keep, length);
                var cut = new List<byte>(png[..at]);
                var chunk = new byte[12 + keep];
                BinaryPrimitives.WriteInt32BigEndian(chunk, keep);
                png.AsSpan(at + 4, 4 + keep).CopyTo(chunk.AsSpan(4));
                BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + keep), Crc32(chunk.AsSpan(4, 4 + keep)));
                cut.AddRange(chunk);
                cut.AddRange(png[(at + 12 + length)..]);
                return [.. cut];
            }
            at += 12 + length;
        }
        throw new ArgumentException("no IDAT chunk");
    }

    /// <summary>The chunks of a PNG in order, as (type, data).</summary>
    public static List<(string Type, byte[] Data)> PngChunks(byte[] png)
    {
        var chunks = new List<(string, byte[])>();
        for (var at = 8; at + 12 <= png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            chunks.Add((System.Text.Encoding.ASCII.GetString(png, at + 4, 4), png[(at + 8)..(at + 8 + length)]));
            at += 12 + length;
        }
        return chunks;
    }

    /// <summary>A PNG made of <paramref name="chunks"/>, each framed with its length and a correct CRC.</summary>
    public static byte[] BuildPng(IEnumerable<(string Type, byte[] Data)> chunks)
    {
        var output = new List<byte> { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };
        foreach (var (type, data) in chunks)
        {
            var chunk = new byte[12 + data.Length];
            BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
            System.Text.Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
            data.CopyTo(chunk, 8);
            BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
            output.AddRange(chunk);
        }
        return [.. output];
    }

    /// <summary>
    /// <paramref name="png"/> with its image data (one zlib stream) cut into IDAT chunks of the given sizes; the last
    /// chunk takes what is left. Sizes of 0 make empty IDAT chunks, which the PNG standard allows.
    /// </summary>
    public static byte[] PngWithImageDataSplit(byte[] png, params int[] sizes)
    {
        var chunks = PngChunks(png);
        var data = chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray();
        var split = new List<(string, byte[])>();
        var at = 0;
        foreach (var size in sizes)
        {
            var take = Math.Min(size, data.Length - at);
            split.Add(("IDAT", data[at..(at + take)]));
            at += take;
        }
        if (at < data.Length)
        {
            split.Add(("IDAT", data[at..]));
        }
        var first = chunks.FindIndex(c => c.Type == "IDAT");
        var rebuilt = chunks.Where(c => c.Type != "IDAT").ToList();
        rebuilt.InsertRange(first, split);
        return BuildPng(rebuilt);
    }

    /// <summary>
    /// <paramref name="png"/> with a decompression bomb after IHDR: a zTXt, iTXt or iCCP chunk whose compressed
    /// text or profile inflates to <paramref name="inflatedBytes"/> bytes.
    /// </summary>
    public static byte[] PngWithCompressedChunkBomb(byte[] png, string type, int inflatedBytes)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
        {
            var block = new byte[1 << 20];
            Array.Fill(block, (byte)'A');
            for (var left = inflatedBytes; left > 0; left -= block.Length)
            {
                zlib.Write(block, 0, Math.Min(left, block.Length));
            }
        }
        // keyword, NUL, then: zTXt and iCCP a compression method byte; iTXt a compression flag, the method, and empty
        // language and translated-keyword fields.
        byte[] head = type switch
        {
            "zTXt" => [.. "Comment"u8, 0, 0],
            "iCCP" => [.. "icc"u8, 0, 0],
            "iTXt" => [.. "Comment"u8, 0, 1, 0, 0, 0],
            _ => throw new ArgumentException($"not a compressed chunk type: {type}", nameof(type)),
        };
        var chunks = PngChunks(png);
        chunks.Insert(1, (type, [.. head, .. compressed.ToArray()]));
        return BuildPng(chunks);
    }

    /// <summary>
    /// A white 8-bit grey PNG of any size, its rows written straight into one zlib stream (so a 1×40,000,000 image takes
    /// a moment, not an encoder's minutes); a 40-megapixel one is under 100 KB.
    /// </summary>
    public static byte[] WhitePng(int width, int height)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        using var compressed = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
        {
            // Whole blocks of rows per write: a write per 2-byte row of a 1×40,000,000 image takes seconds.
            var rowLength = 1 + width;
            var rowsPerBlock = Math.Max(1, (1 << 20) / rowLength);
            var block = new byte[rowsPerBlock * rowLength];
            Array.Fill(block, (byte)0xFF);
            for (var r = 0; r < rowsPerBlock; r++)
            {
                block[r * rowLength] = 0;
            }
            for (var y = 0; y < height; y += rowsPerBlock)
            {
                zlib.Write(block, 0, Math.Min(rowsPerBlock, height - y) * rowLength);
            }
        }
        return BuildPng([("IHDR", header), ("IDAT", compressed.ToArray()), ("IEND", [])]);
    }

    /// <summary>
    /// A JPEG of a 7 whose EXIF block's first IFD entry claims <paramref name="count"/> values: the pixels are intact,
    /// the metadata cannot be read.
    /// </summary>
    public static byte[] JpegWithExifCount(uint count)
    {
        var jpeg = JpegTurnedByExif(Seven(60, 45, 15, 5, 30, 4), 60, 45);
        var app1 = jpeg.AsSpan().IndexOf("Exif\0\0"u8);
        var tiff = app1 + 6;
        var little = jpeg[tiff] == (byte)'I';
        uint Read32(int at) => little ? BinaryPrimitives.ReadUInt32LittleEndian(jpeg.AsSpan(at)) : BinaryPrimitives.ReadUInt32BigEndian(jpeg.AsSpan(at));
        var firstEntry = tiff + (int)Read32(tiff + 4) + 2;
        if (little)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(jpeg.AsSpan(firstEntry + 4), count);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(jpeg.AsSpan(firstEntry + 4), count);
        }
        return jpeg;
    }

    /// <summary>A BMP of a 7 whose header says <paramref name="bitsPerPixel"/> bits per pixel.</summary>
    public static byte[] BmpWithBitsPerPixel(ushort bitsPerPixel)
    {
        var bmp = Encode(Seven(40, 30, 8, 4, 20, 3), 40, 30, ImageStyle.DarkOnLightBmp);
        BinaryPrimitives.WriteUInt16LittleEndian(bmp.AsSpan(28), bitsPerPixel);
        return bmp;
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var c = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            c ^= b;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }
        }
        return c ^ 0xFFFFFFFFu;
    }

    private static byte ToByte(float v) => (byte)Math.Round(Math.Clamp(v, 0, 1) * 255);

    private static byte Mix(int paper, int ink, float v) => (byte)Math.Round(paper + ((ink - paper) * Math.Clamp(v, 0, 1)));

    private static void Fill<TPixel>(Image<TPixel> image, float[] ink, Func<float, TPixel> pixel) where TPixel : unmanaged, IPixel<TPixel>
    {
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                image[x, y] = pixel(ink[(y * image.Width) + x]);
            }
        }
    }

    private static byte[] Save(Image image, IImageEncoder encoder)
    {
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }
}
