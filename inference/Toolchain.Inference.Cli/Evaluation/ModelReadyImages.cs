using Toolchain.Data;
using Toolchain.Imaging;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Cli.Evaluation;

/// <summary>
/// Images of a split as a model takes them, normalised per channel: colour models from image folders carry one mean and
/// std per channel (older cards one for all, foreign models the library's defaults); a uint8 graph that normalises its
/// own input is given the pixels themselves, 0-255. One place for eval, bench and calibration.
/// </summary>
internal sealed class ModelReadyImages(ModelInfo info, ImageSet images)
{
    private readonly CropResizePreprocessor _normalizer = Normalizer(info, images);

    /// <summary>Writes images <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> − 1 into <paramref name="destination"/>.</summary>
    public void Write(int first, int count, Span<float> destination) =>
        _normalizer.Normalize(images.Pixels.AsSpan(first * images.ImageSize, count * images.ImageSize), destination[..(count * images.ImageSize)]);

    private static CropResizePreprocessor Normalizer(ModelInfo info, ImageSet images)
    {
        var (means, stds) = info.Card?.PixelNormalizationFor(images.Channels)
            ?? (Enumerable.Repeat(info.Mean, images.Channels).ToArray(), Enumerable.Repeat(info.Std, images.Channels).ToArray());
        return new CropResizePreprocessor(images.Channels, images.Rows, images.Cols) { Means = means, Stds = stds };
    }
}
