using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.PixelFormats;
using Toolchain.Contracts;
using Toolchain.TestSupport;

namespace Toolchain.Imaging.Tests;

public sealed class BadImageTests : IDisposable
{
    private readonly TempFolder _dir = new();
    private readonly DigitPreprocessor _digit = new(PreprocessingMode.Digit, 0.1307, 0.3081);

    public void Dispose() => _dir.Dispose();

    /// <summary>The problem holds each of <paramref name="facts"/> (the key word, the numbers); the wording is free.</summary>
    private static void Names(string? problem, params string[] facts)
    {
        Assert.NotNull(problem);
        Assert.DoesNotContain('\n', problem);
        Assert.All(facts, fact => Assert.Contains(fact, problem));
    }

    private static string? PngProblem(byte[] png) => PngFile.Prepare(png, ImageLimits.Default, out _);

    private static byte[] GoodPng() =>
        TestImages.Encode(TestImages.Seven(120, 90, 30, 10, 60, 8), 120, 90, ImageStyle.DarkOnLightGray8);

    private InvalidInputFileException Fails(string name, byte[]? content)
    {
        var path = _dir.File(name);
        if (content is not null)
        {
            File.WriteAllBytes(path, content);
        }
        var e = Assert.Throws<InvalidInputFileException>(() => _digit.Process(path, new float[784]));
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    [Fact]
    public void A_zero_byte_file_is_refused_as_empty() =>
        Names(Fails("empty.png", []).Problem, "empty", "0 bytes");

    [Fact]
    public void A_text_file_named_png_is_refused_as_not_a_supported_image() =>
        Names(Fails("notes.png", "just some text, honestly\n"u8.ToArray()).Problem, "not a supported image", "PNG", "JPEG", "BMP", "GIF");

    [Fact]
    public void A_truncated_PNG_is_refused_as_truncated()
    {
        var png = GoodPng();

        Assert.StartsWith("is truncated", Fails("cut.png", png[..(png.Length * 2 / 3)]).Problem);
    }

    [Fact]
    public void A_PNG_with_a_bad_CRC_is_refused_naming_the_chunk() =>
        Names(Fails("crc.png", TestImages.PngWithBadCrc(GoodPng())).Problem, "CRC", "IDAT");

    [Theory]
    [InlineData(int.MaxValue, int.MaxValue, 32)]
    [InlineData(40000, 40000, 32)]
    [InlineData(int.MaxValue, int.MaxValue, 8)]
    public void A_header_with_an_impossible_depth_or_size_is_refused_with_one_line_without_inflating(int width, int height, byte depth)
    {
        var e = Fails("odd.png", TestImages.PngWithHugeHeader(width, height, depth));

        Assert.False(string.IsNullOrWhiteSpace(e.Problem));
        Assert.DoesNotContain('\n', e.Problem);
    }

    [Fact]
    public void A_bad_CRC_in_an_ancillary_chunk_does_not_refuse_the_picture()
    {
        var png = GoodPng();
        // A tEXt chunk right after IHDR (which ends at 33) whose CRC is wrong.
        byte[] text = [0, 0, 0, 4, (byte)'t', (byte)'E', (byte)'X', (byte)'t', (byte)'a', 0, (byte)'b', (byte)'c', 0xDE, 0xAD, 0xBE, 0xEF];
        var withText = png[..33].Concat(text).Concat(png[33..]).ToArray();

        Assert.Null(PngProblem(withText));
        Names(PngProblem(TestImages.PngWithBadCrc(withText)), "CRC", "IDAT");
    }

    [Fact]
    public void A_PNG_whose_image_data_stops_early_inside_well_formed_chunks_is_refused_as_truncated()
    {
        var problem = Fails("short.png", TestImages.PngWithShortImageData(GoodPng(), keep: 20)).Problem;

        Assert.Contains("image data", problem);
        Assert.Matches("truncated|corrupt", problem);
    }

    [Theory]
    [InlineData(ImageStyle.WhiteOnBlackGray8)]
    [InlineData(ImageStyle.DarkOnLightGray16)]
    [InlineData(ImageStyle.DarkOnLightGray1)]
    [InlineData(ImageStyle.DarkOnLightGray4)]
    [InlineData(ImageStyle.DarkOnLightPalette)]
    [InlineData(ImageStyle.DarkOnLightRgb48)]
    [InlineData(ImageStyle.BlackInkTransparentRgba64)]
    [InlineData(ImageStyle.BlackInkTransparentGrayAlpha)]
    public void Complete_PNGs_of_every_pixel_format_pass_the_image_data_check(ImageStyle style)
    {
        var png = TestImages.Encode(TestImages.Seven(40, 30, 8, 4, 20, 3), 40, 30, style);

        Assert.Null(PngProblem(png));
    }

    [Fact]
    public void An_interlaced_PNG_passes_the_image_data_check_and_its_cut_image_data_does_not()
    {
        using var image = new Image<L8>(37, 23);
        image[5, 5] = new L8(255);
        using var stream = new MemoryStream();
        image.SaveAsPng(stream, new PngEncoder { InterlaceMethod = PngInterlaceMode.Adam7, ColorType = PngColorType.Grayscale });
        var png = stream.ToArray();

        Assert.Null(PngProblem(png));
        Assert.NotNull(PngProblem(TestImages.PngWithShortImageData(png, keep: 8)));
    }

    [Fact]
    public void A_GIF_cut_anywhere_is_refused_and_the_whole_one_is_accepted()
    {
        var gif = TestImages.Encode(TestImages.Seven(120, 90, 30, 10, 60, 8), 120, 90, ImageStyle.DarkOnLightGif);
        Assert.Null(EncodedImageCheck.GifProblem(gif));
        for (var cut = 0; cut < gif.Length - 1; cut++)
        {
            Assert.NotNull(EncodedImageCheck.GifProblem(gif.AsSpan(0, cut)));
        }
        Assert.StartsWith("is truncated", Fails("cut.gif", gif[..(gif.Length / 2)]).Problem);
    }

    [Fact]
    public void A_truncated_JPEG_is_refused_as_truncated()
    {
        var jpeg = TestImages.Encode(TestImages.Seven(120, 90, 30, 10, 60, 8), 120, 90, ImageStyle.DarkOnLightJpeg);

        Names(Fails("cut.jpg", jpeg[..(jpeg.Length / 2)]).Problem, "truncated", "JPEG", "end-of-image");
    }

    [Fact]
    public void A_directory_is_refused_as_a_directory()
    {
        var e = Assert.Throws<InvalidInputFileException>(() => _digit.Process(_dir.Path, new float[784]));

        Assert.Equal(_dir.Path, e.FilePath);
        Assert.StartsWith(_dir.Path + ": ", e.Message);
        Names(e.Problem, "directory");
    }

    [Fact]
    public void A_missing_file_is_refused_as_missing() =>
        Names(Fails("absent.png", null).Problem, "no such file");

    [Fact]
    public void A_60000_by_60000_header_in_a_tiny_file_is_refused_without_decoding()
    {
        var png = TestImages.PngWithHugeHeader();
        var path = _dir.File("huge.png");
        File.WriteAllBytes(path, png);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var e = Assert.Throws<InvalidInputFileException>(() => _digit.Process(path, new float[784]));

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(path, e.FilePath);
        Names(e.Problem, "60000×60000", "40-megapixel limit");
        Assert.True(allocated < 4 << 20, $"allocated {allocated} bytes");
        Assert.True(png.Length < 100);
    }

    [Fact]
    public void A_file_over_20_MB_is_refused_before_it_is_read()
    {
        var path = _dir.File("big.png");
        using (var f = File.Create(path))
        {
            f.SetLength(21L * 1024 * 1024);
        }

        var e = Assert.Throws<InvalidInputFileException>(() => _digit.Process(path, new float[784]));

        Assert.Equal(path, e.FilePath);
        Names(e.Problem, "21.0 MB", "20 MB limit");
    }

    [Fact]
    public void A_TIFF_is_refused_as_an_unsupported_format()
    {
        using var image = new Image<L8>(10, 10);
        using var ms = new MemoryStream();
        image.Save(ms, new TiffEncoder());

        Names(Fails("scan.png", ms.ToArray()).Problem, "TIFF", "PNG, JPEG, BMP and GIF");
    }

    [Fact]
    public void Bytes_without_a_file_are_named_by_the_callers_name()
    {
        var e = Assert.Throws<InvalidInputFileException>(() => _digit.ToMnistBytes("GIF89a"u8, "upload #3"));

        Assert.Equal("upload #3", e.FilePath);
    }
}
