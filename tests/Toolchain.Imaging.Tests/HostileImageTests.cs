using Toolchain.Contracts;
using Toolchain.TestSupport;

namespace Toolchain.Imaging.Tests;

/// <summary>
/// Images built to cost the decoder (decompression bombs, absurd shapes), valid files that decoders trip over, and
/// fuzzed files: each is either read as libpng would read it or refused with our own words, cheaply.
/// </summary>
public sealed class HostileImageTests
{
    private const int BombBytes = 64 << 20;

    private readonly DigitPreprocessor _digit = new(PreprocessingMode.Digit, 0.1307, 0.3081);

    private static byte[] SevenPng() =>
        TestImages.Encode(TestImages.Seven(120, 90, 30, 10, 60, 8), 120, 90, ImageStyle.DarkOnLightGray8);

    [Theory]
    [InlineData("zTXt")]
    [InlineData("iTXt")]
    [InlineData("iCCP")]
    public void A_compressed_chunk_bomb_is_never_inflated_and_the_picture_is_read(string type)
    {
        var png = SevenPng();
        var bomb = TestImages.PngWithCompressedChunkBomb(png, type, BombBytes);
        Assert.True(bomb.Length < 1 << 20, $"the {type} bomb is {bomb.Length} bytes");
        var expected = _digit.ToMnistBytes(png, "clean.png");
        var before = GC.GetAllocatedBytesForCurrentThread();

        var actual = _digit.ToMnistBytes(bomb, "bomb.png");

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(expected, actual);
        // The chunk inflates to 64 MB; reading it at all would allocate that much.
        Assert.True(allocated < 8 << 20, $"allocated {allocated:N0} bytes for a {bomb.Length:N0}-byte file");
    }

    [Theory]
    [InlineData(1, 40_000_000)]
    [InlineData(40_000_000, 1)]
    public void A_forty_megapixel_strip_is_refused_by_its_side_before_decoding(int width, int height)
    {
        var png = TestImages.WhitePng(width, height);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var e = Assert.Throws<InvalidInputFileException>(() => _digit.ToMnistBytes(png, "strip.png"));

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal("strip.png", e.FilePath);
        Assert.Contains($"{width}×{height}", e.Problem);
        Assert.Contains("16,384 px per side", e.Problem);
        Assert.True(allocated < 1 << 20, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void Service_limits_refuse_what_the_command_line_takes_and_every_limit_can_be_set()
    {
        var png = TestImages.WhitePng(4_500, 4_000);
        var service = new DigitPreprocessor(PreprocessingMode.Digit, 0, 1, ImageLimits.Service);
        var narrow = new DigitPreprocessor(PreprocessingMode.Digit, 0, 1, new ImageLimits { MaxSide = 4_000 });
        var small = new DigitPreprocessor(PreprocessingMode.Digit, 0, 1, new ImageLimits { MaxBytes = png.Length - 1 });

        var overPixels = Assert.Throws<InvalidInputFileException>(() => service.ToMnistBytes(png, "big.png")).Problem;
        Assert.Contains("4500×4000", overPixels);
        Assert.Contains("16-megapixel limit", overPixels);
        var overSide = Assert.Throws<InvalidInputFileException>(() => narrow.ToMnistBytes(png, "big.png")).Problem;
        Assert.Contains("4500×4000", overSide);
        Assert.Contains("4,000 px per side", overSide);
        Assert.EndsWith("MB limit", Assert.Throws<InvalidInputFileException>(() => small.ToMnistBytes(png, "big.png")).Problem);
        // Within the command line's limits the file is decoded; it is blank, which is the next refusal.
        Assert.StartsWith("has no digit", Assert.Throws<InvalidInputFileException>(() => _digit.ToMnistBytes(png, "big.png")).Problem);
    }

    [Fact]
    public void Unusable_limits_are_refused_when_the_preprocessor_is_made() =>
        Assert.Throws<ToolchainException>(() => new DigitPreprocessor(PreprocessingMode.Digit, 0, 1, new ImageLimits { MaxSide = 0 }));

    [Theory]
    [InlineData(new[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 })]
    [InlineData(new[] { 1 })]
    [InlineData(new[] { 0 })]
    [InlineData(new[] { 0, 2, 0, 3, 0 })]
    public void Image_data_split_into_chunks_of_any_length_reads_like_one_chunk(int[] sizes)
    {
        var png = SevenPng();
        var split = TestImages.PngWithImageDataSplit(png, sizes);
        Assert.True(TestImages.PngChunks(split).Count(c => c.Type == "IDAT") > 1);

        Assert.Equal(_digit.ToMnistBytes(png, "one.png"), _digit.ToMnistBytes(split, "split.png"));
    }

    [Fact]
    public void Every_IDAT_chunk_one_byte_long_reads_like_one_chunk()
    {
        var png = SevenPng();
        var compressed = TestImages.PngChunks(png).Where(c => c.Type == "IDAT").Sum(c => c.Data.Length);
        var split = TestImages.PngWithImageDataSplit(png, Enumerable.Repeat(1, compressed).ToArray());

        Assert.Equal(compressed, TestImages.PngChunks(split).Count(c => c.Type == "IDAT"));
        Assert.Equal(_digit.ToMnistBytes(png, "one.png"), _digit.ToMnistBytes(split, "split.png"));
    }

    [Fact]
    public void A_JPEG_whose_EXIF_cannot_be_read_is_classified_from_its_intact_pixels()
    {
        var jpeg = TestImages.JpegWithExifCount(0x7FFF_FFFF);

        var pixels = _digit.ToMnistBytes(jpeg, "exif.jpg");

        Assert.Contains(pixels, p => p > 200);
    }

    [Fact]
    public void A_BMP_with_zero_bits_per_pixel_is_refused_in_our_words() =>
        Assert.Contains("0 bits per pixel",
            Assert.Throws<InvalidInputFileException>(() => _digit.ToMnistBytes(TestImages.BmpWithBitsPerPixel(0), "zero.bmp")).Problem);

    [Theory]
    [InlineData(ImageStyle.DarkOnLightJpeg)]
    [InlineData(ImageStyle.DarkOnLightGray8)]
    [InlineData(ImageStyle.DarkOnLightPalette)]
    [InlineData(ImageStyle.DarkOnLightBmp)]
    [InlineData(ImageStyle.DarkOnLightGif)]
    [InlineData(ImageStyle.DarkOnLightWebpLossy)]
    [InlineData(ImageStyle.BlackInkTransparentWebpLossless)]
    public void Fuzzed_files_are_read_or_refused_in_our_words_never_with_runtime_exception_text(ImageStyle style)
    {
        var original = TestImages.Encode(TestImages.Seven(40, 30, 8, 4, 20, 3), 40, 30, style);
        var random = new Random(7);
        string[] runtimeTexts =
        [
            "Object reference", "Index was outside", "Destination is too short", "divide by zero", "Specified argument",
            "(Parameter", "Arithmetic operation", "Unable to cast", "Sequence contains",
        ];
        for (var i = 0; i < 150; i++)
        {
            var fuzzed = (byte[])original.Clone();
            for (var flips = random.Next(1, 6); flips > 0; flips--)
            {
                // The first bytes are the signature; fuzzing it only tests format detection.
                fuzzed[random.Next(8, fuzzed.Length)] = (byte)random.Next(256);
            }
            try
            {
                _digit.ToMnistBytes(fuzzed, "fuzzed");
            }
            catch (InvalidInputFileException e)
            {
                Assert.DoesNotContain('\n', e.Message);
                Assert.DoesNotContain(runtimeTexts, t => e.Problem.Contains(t, StringComparison.OrdinalIgnoreCase));
            }
        }
    }

    [Fact]
    public async Task A_BigTIFF_header_is_refused_by_its_signature_without_a_TIFF_reader()
    {
        // 28 bytes of BigTIFF header pointing at an IFD that points back at itself: ImageSharp 2.1's TIFF reader loops
        // on this forever while identifying (GHSA-wmxv-xphr-5c9g).
        byte[] bigTiff = [(byte)'I', (byte)'I', 43, 0, 8, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0];

        var e = await Task.Run(() => Assert.Throws<InvalidInputFileException>(() => _digit.ToMnistBytes(bigTiff, "big.tif")))
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("big.tif", e.FilePath);
        Assert.Contains("TIFF", e.Problem);
    }

    [Theory]
    [InlineData(0x7FFF_FFF0u, 40u, new[] { "pixel data", "2,147,483,632", "1,254-byte" })]
    [InlineData(54u, 99u, new[] { "info header", "99 bytes" })]
    public void A_BMP_header_that_would_size_a_buffer_past_the_file_is_refused_before_decoding(uint offset, uint infoSize, string[] facts)
    {
        var bmp = TestImages.BmpWithBitsPerPixel(24);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(10), offset);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bmp.AsSpan(14), infoSize);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var e = Assert.Throws<InvalidInputFileException>(() => _digit.ToMnistBytes(bmp, "odd.bmp"));

        var size = bmp.Length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        Assert.DoesNotContain('\n', e.Problem);
        Assert.All(facts, fact => Assert.Contains(fact.Replace("1,254", size, StringComparison.Ordinal), e.Problem));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }
}
