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

    private static readonly float[] SevenInk = TestImages.Seven(40, 30, 8, 4, 20, 3);

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
        Names(Fails("notes.png", "just some text, honestly\n"u8.ToArray()).Problem, "not a supported image", "PNG", "JPEG", "BMP", "GIF", "WebP");

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

    [Theory]
    [InlineData(ImageStyle.DarkOnLightWebpLossy, 2)]
    [InlineData(ImageStyle.DarkOnLightWebpLossy, 20)]
    [InlineData(ImageStyle.BlackInkTransparentWebpLossless, 2)]
    public void A_truncated_WebP_is_refused_as_truncated_before_a_WebP_reader_sees_it(ImageStyle style, int keepPercent)
    {
        var webp = TestImages.Encode(TestImages.Seven(120, 90, 30, 10, 60, 8), 120, 90, style);

        Names(Fails("cut.webp", webp[..Math.Max(20, webp.Length * keepPercent / 100)]).Problem, "truncated");
    }

    [Fact]
    public void A_WebP_whose_image_chunk_claims_more_than_the_container_holds_is_refused_as_truncated()
    {
        var webp = TestImages.Encode(TestImages.Seven(120, 90, 30, 10, 60, 8), 120, 90, ImageStyle.DarkOnLightWebpLossy);
        // The cut is hidden from the RIFF header (its size rewritten to fit) but not from the VP8 chunk's own size.
        var cut = webp[..(webp.Length - 10)];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(cut.AsSpan(4), (uint)(cut.Length - 8));

        Names(Fails("cut.webp", cut).Problem, "truncated", "VP8 chunk");
    }

    [Fact]
    public void A_chunk_whose_type_holds_control_bytes_is_named_in_hex_on_one_line()
    {
        var png = GoodPng();
        // The chunk after IHDR (bytes 33 on) gets a type with a line break and an escape, and a length past the end.
        "\n\u001b[2"u8.CopyTo(png.AsSpan(37));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(33), 1_000_000);
        var webp = TestImages.BuildWebp(("VP8X", TestImages.Vp8xHeader(40, 30)), ("\n\u001b[2", new byte[4]));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(webp.AsSpan(34), 1_000_000);

        Names(Fails("chunk.png", png).Problem, "truncated", "PNG chunk 0x0A1B5B32");
        Names(Fails("chunk.webp", webp).Problem, "truncated", "0x0A1B5B32 chunk");
    }

    [Fact]
    public void A_lossless_WebP_naming_65536_Huffman_groups_is_refused_before_a_WebP_reader_allocates_their_tables()
    {
        var bomb = TestImages.LosslessWebpNamingGroup(65_535);

        Assert.Equal(48, bomb.Length);
        Names(Fails("bomb.webp", bomb).Problem, "lossless WebP", "65,536 Huffman groups", "1,000");
    }

    [Fact]
    public void A_lossless_WebP_within_the_group_bound_goes_on_to_the_decoder()
    {
        // 1,000 groups pass the check; the file then ends where its codes should be, which the decoder refuses.
        var problem = Fails("cut.webp", TestImages.LosslessWebpNamingGroup(999)).Problem;

        Assert.DoesNotContain("Huffman groups", problem);
        Names(problem, "WebP");
    }

    [Fact]
    public void An_ALPH_chunk_naming_too_many_groups_is_refused_like_a_VP8L_chunk()
    {
        var lossy = TestImages.WebpChunks(TestImages.CwebpFixture("cwebp-lossy-alpha.webp"));
        var vp8 = lossy.Single(c => c.Type == "VP8 ");
        // An ALPH chunk holds a VP8L stream without its 5-byte header, after one byte saying how it is compressed.
        var stream = TestImages.WebpChunks(TestImages.LosslessWebpNamingGroup(65_535, 96, 80)).Single().Data[5..];
        var alpha = TestImages.BuildWebp(("VP8X", TestImages.Vp8xHeader(96, 80, alpha: true)), ("ALPH", [0x01, .. stream]), vp8);

        Names(Fails("alpha.webp", alpha).Problem, "ALPH", "Huffman groups");
    }

    /// <summary>An ANMF chunk's payload: a 40×30 frame at (0, 0) holding the given chunks.</summary>
    private static byte[] Frame(params (string Type, byte[] Data)[] chunks) => Frame(40, 30, chunks);

    /// <summary>An ANMF chunk's payload: a <paramref name="width"/>×<paramref name="height"/> frame at (0, 0) holding the given chunks.</summary>
    private static byte[] Frame(int width, int height, IEnumerable<(string Type, byte[] Data)> chunks)
    {
        // Position and size (24 bits each, the size minus one), duration, flags; then the frame's chunks.
        byte[] header = [0, 0, 0, 0, 0, 0, (byte)(width - 1), (byte)((width - 1) >> 8), 0, (byte)(height - 1), (byte)((height - 1) >> 8), 0, 100, 0, 0, 0];
        return [.. header, .. TestImages.BuildWebp([.. chunks])[12..]];
    }

    /// <summary>A picture as a 96×80 colour model's input (resized, alpha over white, normalised).</summary>
    private static float[] ColourPixels(byte[] file, string name = "picture.webp")
    {
        var crop = new CropResizePreprocessor(3, 80, 96);
        var values = new float[crop.OutputLength];
        crop.Process(file, name, values);
        return values;
    }

    [Fact]
    public void An_animated_WebP_is_read_as_its_first_frame_as_a_GIF_is()
    {
        var seven = TestImages.Encode(SevenInk, 40, 30, ImageStyle.DarkOnLightWebpLossy);
        var blank = TestImages.Encode(new float[40 * 30], 40, 30, ImageStyle.DarkOnLightWebpLossy);
        var animated = TestImages.BuildWebp(("VP8X", TestImages.Vp8xHeader(40, 30, animated: true)), ("ANIM", new byte[6]),
            ("ANMF", Frame(TestImages.WebpChunks(seven)[0])), ("ANMF", Frame(TestImages.WebpChunks(blank)[0])));

        Assert.Equal(_digit.ToMnistBytes(seven, "seven.webp"), _digit.ToMnistBytes(animated, "wave.webp"));
    }

    [Fact]
    public void An_animated_WebP_with_transparency_keeps_its_first_frames_alpha()
    {
        // cwebp-lossy-alpha.webp's ALPH and VP8 chunks as the first frame of an animation of the same 96×80 size.
        var chunks = TestImages.WebpChunks(TestImages.CwebpFixture("cwebp-lossy-alpha.webp"));
        var still = TestImages.CwebpFixture("cwebp-lossy-alpha.webp");
        var frame = Frame(96, 80, chunks.Where(c => c.Type != "VP8X"));
        var animated = TestImages.BuildWebp(("VP8X", TestImages.Vp8xHeader(96, 80, animated: true, alpha: true)), ("ANIM", new byte[6]), ("ANMF", frame));

        Assert.Equal(ColourPixels(still), ColourPixels(animated));
    }

    [Fact]
    public void An_animated_WebP_whose_first_frame_holds_no_picture_or_too_many_groups_is_refused()
    {
        var empty = TestImages.BuildWebp(("VP8X", TestImages.Vp8xHeader(40, 30, animated: true)), ("ANIM", new byte[6]), ("ANMF", Frame(("EXIF", new byte[4]))));
        var bomb = TestImages.BuildWebp(("VP8X", TestImages.Vp8xHeader(40, 30, animated: true)), ("ANIM", new byte[6]),
            ("ANMF", Frame(TestImages.WebpChunks(TestImages.LosslessWebpNamingGroup(65_535, 40, 30))[0])));

        Names(Fails("empty.webp", empty).Problem, "first frame", "no VP8");
        Names(Fails("bomb.webp", bomb).Problem, "65,536 Huffman groups");
    }

    [Fact]
    public void A_WebP_without_image_data_is_refused_as_corrupt() =>
        Names(Fails("empty.webp", TestImages.BuildWebp(("VP8X", TestImages.Vp8xHeader(40, 30)), ("EXIF", new byte[7]))).Problem,
            "corrupt", "VP8");

    [Fact]
    public void Libwebps_lossless_and_lossy_with_alpha_files_decode_to_the_picture_they_were_made_from()
    {
        var png = ColourPixels(TestImages.CwebpFixture("cwebp-source.png"), "source.png");

        Assert.Equal(png, ColourPixels(TestImages.CwebpFixture("cwebp-lossless.webp"), "lossless.webp"));
        var lossy = ColourPixels(TestImages.CwebpFixture("cwebp-lossy-alpha.webp"), "lossy.webp");
        // Lossy colour, but the alpha is exact: the transparent corner is white paper in both.
        Assert.Equal(png[0], lossy[0]);
        Assert.True(png.Zip(lossy, (a, b) => Math.Abs(a - b)).Average() < 0.1, "mean difference over 0.1 (normalised units)");
    }

    [Fact]
    public void A_WebP_frame_over_the_pixel_limit_is_refused_before_decoding()
    {
        var (type, frame) = TestImages.WebpChunks(TestImages.Encode(TestImages.Seven(40, 30, 8, 4, 20, 3), 40, 30, ImageStyle.DarkOnLightWebpLossy))[0];
        // A VP8 key frame's header: a 3-byte tag, the start code, then width and height in 14 bits each.
        Assert.Equal("VP8 ", type);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(6), 0x3FFF);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(8), 0x3FFF);

        var e = Fails("huge.webp", TestImages.BuildWebp((type, frame)));

        Names(e.Problem, "16383×16383", "limit");
    }

    [Fact]
    public void A_lossless_WebP_decodes_to_the_pixels_of_the_PNG_it_was_written_from_with_or_without_a_canvas_header()
    {
        var png = TestImages.Encode(SevenInk, 40, 30, ImageStyle.BlackInkTransparentRgba);
        var webp = TestImages.Encode(SevenInk, 40, 30, ImageStyle.BlackInkTransparentWebpLossless);
        var extended = TestImages.BuildWebp(("VP8X", TestImages.Vp8xHeader(40, 30, alpha: true)), TestImages.WebpChunks(webp)[0]);

        var want = _digit.ToMnistBytes(png, "seven.png");

        Assert.Equal(want, _digit.ToMnistBytes(webp, "seven.webp"));
        Assert.Equal(want, _digit.ToMnistBytes(extended, "extended.webp"));
    }

    [Fact]
    public void A_WebP_whose_canvas_and_picture_disagree_or_that_holds_two_pictures_is_refused_as_corrupt()
    {
        // The alpha plane's size is the picture's: a canvas of another size, or a second picture, would leave it open
        // which size a reader decodes the alpha at, and so what the group check has read.
        var picture = TestImages.WebpChunks(TestImages.Encode(SevenInk, 40, 30, ImageStyle.BlackInkTransparentWebpLossless))[0];

        Names(Fails("canvas.webp", TestImages.BuildWebp(("VP8X", TestImages.Vp8xHeader(16_000_000, 16_000_000)), picture)).Problem,
            "corrupt", "16000000×16000000", "40×30");
        Names(Fails("two.webp", TestImages.BuildWebp(picture, picture)).Problem, "corrupt", "2 image chunks");
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

        Names(Fails("scan.png", ms.ToArray()).Problem, "TIFF", "PNG, JPEG, BMP, GIF or WebP");
    }

    [Fact]
    public void Bytes_without_a_file_are_named_by_the_callers_name()
    {
        var e = Assert.Throws<InvalidInputFileException>(() => _digit.ToMnistBytes("GIF89a"u8, "upload #3"));

        Assert.Equal("upload #3", e.FilePath);
    }
}
