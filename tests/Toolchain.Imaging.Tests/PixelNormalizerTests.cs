
namespace Toolchain.Imaging.Tests;

public sealed class PixelNormalizerTests
{
    [Fact]
    public void Pixels_become_p_over_255_minus_mean_over_std_computed_in_double_and_rounded_once()
    {
        byte[] pixels = [0, 255, 51];
        var floats = new float[3];

        PixelNormalizer.Normalize(pixels, 0.1307, 0.3081, floats);

        Assert.Equal((float)(-0.1307 / 0.3081), floats[0]);
        Assert.Equal((float)((1 - 0.1307) / 0.3081), floats[1]);
        Assert.Equal((float)((0.2 - 0.1307) / 0.3081), floats[2]);
    }

    [Fact]
    public void A_destination_shorter_than_the_pixels_is_refused() =>
        Assert.Throws<ArgumentException>(() => PixelNormalizer.Normalize(new byte[4], 0, 1, new float[3]));
}
