using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Toolchain.Contracts;
using Toolchain.TestSupport;

namespace Toolchain.Imaging.Tests;

public sealed class DigitPreprocessorTests
{
    private static readonly DigitPreprocessor Digit = new(PreprocessingMode.Digit, 0.1307, 0.3081);

    // A "7" drawn 120 px tall in the lower right of a 300×200 canvas, far from centre.
    private const int W = 300, H = 200;
    private static readonly float[] SevenInk = TestImages.Seven(W, H, left: 160, top: 60, size: 120, thickness: 16);

    public static TheoryData<ImageStyle> AllStyles => new(Enum.GetValues<ImageStyle>());

    [Theory]
    [MemberData(nameof(AllStyles))]
    public void An_off_centre_drawing_lands_on_MNISTs_centring_and_polarity(ImageStyle style)
    {
        var bytes = TestImages.Encode(SevenInk, W, H, style);

        var mnist = Digit.ToMnistBytes(bytes, $"seven.{style}");

        var (cy, cx) = MnistStats.CentreOfMass(mnist);
        Assert.InRange(cy, 13, 15);
        Assert.InRange(cx, 13, 15);
        var (bw, bh) = MnistStats.InkBox(mnist);
        Assert.Equal(20, Math.Max(bw, bh));
        Assert.InRange(Math.Min(bw, bh), 10, 16); // the 7 is 72 wide and 120 tall (plus stroke): about 13 of 20
        Assert.Equal(0, mnist[0]);
        Assert.Equal(0, mnist[783]);
        Assert.True(mnist.Max() >= 250, $"brightest ink is {mnist.Max()}");
        Assert.True(mnist.Count(v => v > 128) > 40, $"the strokes should be solid ink, {mnist.Count(v => v > 128)} pixels over 128");
    }

    [Theory]
    [InlineData(ImageStyle.BlackInkTransparentRgba)]
    [InlineData(ImageStyle.BlackInkTransparentGrayAlpha)]
    [InlineData(ImageStyle.DarkOnLightGray16)]
    [InlineData(ImageStyle.DarkOnLightGray4)]
    [InlineData(ImageStyle.BlackInkTransparentRgba64)]
    [InlineData(ImageStyle.DarkOnLightPalette)]
    [InlineData(ImageStyle.WhiteOnBlackGray8)]
    [InlineData(ImageStyle.DarkOnLightRgb)]
    [InlineData(ImageStyle.WhiteInkTransparentRgba)]
    [InlineData(ImageStyle.BlackInkTransparentWebpLossless)]
    public void Every_lossless_encoding_of_a_drawing_gives_the_same_digit_as_8_bit_grey(ImageStyle style)
    {
        var reference = Digit.ToMnistBytes(TestImages.Encode(SevenInk, W, H, ImageStyle.DarkOnLightGray8), "ref.png");

        var mnist = Digit.ToMnistBytes(TestImages.Encode(SevenInk, W, H, style), "other.png");

        // 4-bit grey quantises ink to 16 levels; everything else should agree to rounding.
        var tolerance = style == ImageStyle.DarkOnLightGray4 ? 12 : 3;
        var worst = reference.Zip(mnist, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= tolerance, $"largest pixel difference {worst}");
    }

    [Fact]
    public void Light_paper_cut_out_on_a_transparent_margin_reads_like_the_same_drawing_on_white()
    {
        var reference = Digit.ToMnistBytes(TestImages.Encode(SevenInk, W, H, ImageStyle.DarkOnLightGray8), "ref.png");
        using var image = new Image<Rgba32>(W, H);
        for (var y = 0; y < H; y++)
        {
            for (var x = 0; x < W; x++)
            {
                var margin = x < 6 || y < 6 || x >= W - 6 || y >= H - 6;
                var shade = (byte)Math.Round(255 * (1 - Math.Clamp(SevenInk[(y * W) + x], 0, 1)));
                image[x, y] = margin ? new Rgba32(0, 0, 0, 0) : new Rgba32(shade, shade, shade, 255);
            }
        }
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);

        var mnist = Digit.ToMnistBytes(stream.ToArray(), "cut-out.png");

        var worst = reference.Zip(mnist, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 3, $"largest pixel difference {worst}");
    }

    [Fact]
    public void Real_MNIST_digits_drawn_black_on_white_on_a_big_canvas_come_back_close_to_the_originals()
    {
        var (images, _) = MnistSample.LoadTest(30);
        var styles = new[] { ImageStyle.DarkOnLightGray8, ImageStyle.DarkOnLightJpeg, ImageStyle.BlackInkTransparentRgba };
        var plain = new List<double>();
        var aligned = new List<double>();
        for (var i = 0; i < images.Length; i++)
        {
            var canvas = TestImages.RenderMnistOnCanvas(images[i], 600, 400, left: 40 + (i * 9), top: 30 + (i * 3), scale: 10);
            var encoded = TestImages.Encode(canvas, 600, 400, styles[i % styles.Length]);

            var recovered = Digit.ToMnistBytes(encoded, $"mnist{i}");

            plain.Add(MnistStats.Correlation(images[i], recovered));
            aligned.Add(MnistStats.BestCorrelationWithinOnePixel(images[i], recovered));
        }
        // A centre of mass near x.5 rounds either way, so a one-pixel shift against the original is legitimate.
        Assert.True(plain.Average() > 0.9, $"mean correlation {plain.Average():F3}");
        Assert.True(aligned.Min() > 0.85, $"worst one-pixel-aligned correlation {aligned.Min():F3}");
    }

    [Fact]
    public void Resize_mode_fits_the_whole_picture_keeping_its_aspect_ratio()
    {
        var resize = new DigitPreprocessor(PreprocessingMode.Resize, 0, 1);
        // A white-on-black 100×50 picture with an ink block over x 20–49, y 10–39.
        var ink = new float[100 * 50];
        for (var i = 0; i < ink.Length; i++)
        {
            ink[i] = i % 100 is >= 20 and < 50 && i / 100 is >= 10 and < 40 ? 1 : 0;
        }

        var mnist = resize.ToMnistBytes(TestImages.Encode(ink, 100, 50, ImageStyle.WhiteOnBlackGray8), "block.png");

        // Scale 28/100: the picture becomes 28×14 at rows 7–20, the block x 5.6–14, y 7+2.8 to 7+11.2.
        Assert.Equal(255, mnist[(14 * 28) + 10]);
        Assert.Equal(0, mnist[(14 * 28) + 3]);
        Assert.Equal(0, mnist[(14 * 28) + 16]);
        Assert.Equal(0, mnist[(8 * 28) + 10]);
        Assert.Equal(0, mnist[(19 * 28) + 10]);
        var (bw, bh) = MnistStats.InkBox(mnist);
        Assert.Equal((9, 10), (bw, bh)); // columns 5–13 (5 is 40% covered), rows 9–18
    }

    [Fact]
    public void Raw_mode_takes_a_28_by_28_MNIST_image_exactly_as_it_is()
    {
        var (images, _) = MnistSample.LoadTest(1);
        var ink = images[0].Select(b => b / 255f).ToArray();
        var raw = new DigitPreprocessor(PreprocessingMode.None, 0, 1);

        var mnist = raw.ToMnistBytes(TestImages.Encode(ink, 28, 28, ImageStyle.WhiteOnBlackGray8), "raw.png");

        Assert.Equal(images[0], mnist);
    }

    [Fact]
    public void Raw_mode_refuses_an_image_that_is_not_28_by_28()
    {
        var raw = new DigitPreprocessor(PreprocessingMode.None, 0, 1);

        var e = Assert.Throws<InvalidInputFileException>(() => raw.ToMnistBytes(TestImages.Encode(SevenInk, W, H, ImageStyle.DarkOnLightGray8), "big.png"));

        Assert.Equal("big.png", e.FilePath);
        Assert.DoesNotContain('\n', e.Message);
        Assert.All(["300×200", "none", "28×28", "digit", "resize"], fact => Assert.Contains(fact, e.Problem));
    }

    [Theory]
    [InlineData(ImageStyle.DarkOnLightGray8)]
    [InlineData(ImageStyle.BlackInkTransparentRgba)]
    [InlineData(ImageStyle.DarkOnLightJpeg)]
    public void A_blank_page_is_refused_rather_than_classified(ImageStyle style)
    {
        var blank = TestImages.Encode(new float[200 * 100], 200, 100, style);

        var e = Assert.Throws<InvalidInputFileException>(() => Digit.ToMnistBytes(blank, "blank.png"));

        Assert.Equal("blank.png", e.FilePath);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("blank", e.Problem);
    }

    [Fact]
    public void A_phone_photo_turned_by_its_EXIF_orientation_is_read_upright()
    {
        var upright = Digit.ToMnistBytes(TestImages.Encode(SevenInk, W, H, ImageStyle.DarkOnLightJpeg), "upright.jpg");

        var mnist = Digit.ToMnistBytes(TestImages.JpegTurnedByExif(SevenInk, W, H), "portrait.jpg");

        var correlation = MnistStats.BestCorrelationWithinOnePixel(upright, mnist);
        Assert.True(correlation > 0.95, $"correlation with the upright seven {correlation:F3}");
    }

    [Fact]
    public void An_animated_GIF_is_read_from_its_first_frame_without_decoding_the_others()
    {
        // Each 1000×1000 frame is 40 MB-pixels' worth of work once 40 of them are decoded; a 3 MB GIF like this with
        // 6000×6000 frames took 4 GB to decode in full.
        var gif = TestImages.AnimatedGif(1000, 40);

        using var image = DigitPreprocessor.Decode<SixLabors.ImageSharp.PixelFormats.La16>(gif, "animated.gif", ImageLimits.Default);
        var mnist = Digit.ToMnistBytes(gif, "animated.gif");

        Assert.Equal(1, image.Frames.Count);
        var (bw, bh) = MnistStats.InkBox(mnist);
        Assert.Equal((13, 20), (bw, bh)); // the block is a third wide and half tall: 20 tall, 13 wide
    }

    [Fact]
    public void A_speck_of_dirt_far_from_the_digit_does_not_move_or_shrink_it()
    {
        var clean = Digit.ToMnistBytes(TestImages.Encode(SevenInk, W, H, ImageStyle.DarkOnLightGray8), "clean.png");
        var dirty = (float[])SevenInk.Clone();
        dirty[(5 * W) + 5] = 1;
        dirty[(5 * W) + 6] = 1;

        var mnist = Digit.ToMnistBytes(TestImages.Encode(dirty, W, H, ImageStyle.DarkOnLightGray8), "dirty.png");

        Assert.Equal(clean, mnist);
    }

    [Fact]
    public void Process_normalises_with_the_given_mean_and_std()
    {
        var bytes = TestImages.Encode(SevenInk, W, H, ImageStyle.DarkOnLightGray8);
        var mnist = Digit.ToMnistBytes(bytes, "seven.png");
        var values = new float[784];

        Digit.Process(bytes, "seven.png", values);

        for (var i = 0; i < 784; i++)
        {
            Assert.Equal((float)(((mnist[i] / 255.0) - 0.1307) / 0.3081), values[i]);
        }
    }

    [Fact]
    public void An_unknown_mode_is_refused()
    {
        var e = Assert.Throws<ToolchainException>(() => new DigitPreprocessor((PreprocessingMode)42, 0, 1));

        Assert.Contains("42", e.Message);
        Assert.Contains(EnumText.Choices<PreprocessingMode>(), e.Message);
    }
}
