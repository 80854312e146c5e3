using System.Buffers.Binary;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
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
}

/// <summary>Synthetic drawings, real MNIST digits rendered as users save them, and malformed image files.</summary>
public static class TestImages
{
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
