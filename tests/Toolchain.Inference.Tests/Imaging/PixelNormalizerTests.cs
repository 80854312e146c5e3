using Toolchain.Inference.Imaging;

namespace Toolchain.Inference.Tests.Imaging;

public sealed class PixelNormalizerTests
{
    [Fact]
    public void Pixels_become_p_over_255_minus_mean_over_std_in_float_and_double()
    {
        byte[] pixels = [0, 255, 51];
        var floats = new float[3];
        var doubles = new double[3];

        PixelNormalizer.Normalize(pixels, 0.1307, 0.3081, floats);
        PixelNormalizer.Normalize(pixels, 0.1307, 0.3081, doubles);

        Assert.Equal(-0.1307 / 0.3081, doubles[0], 12);
        Assert.Equal((1 - 0.1307) / 0.3081, doubles[1], 12);
        Assert.Equal((0.2 - 0.1307) / 0.3081, doubles[2], 12);
        Assert.Equal((float)doubles[2], floats[2]);
    }

    [Fact]
    public void A_destination_shorter_than_the_pixels_is_refused() =>
        Assert.Throws<ArgumentException>(() => PixelNormalizer.Normalize(new byte[4], 0, 1, new float[3]));
}
