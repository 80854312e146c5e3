using TorchSharp;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Training;

/// <summary>
/// Shifts each image of a batch by its own random whole-pixel offset of up to <c>maxShift</c> in x and y, filling with
/// the background value. It works on the whole batch at once (pad, then gather one window per image).
/// </summary>
public static class ShiftAugmentation
{
    /// <summary>The image side the presets' shifts are set for: MNIST's 28 pixels.</summary>
    public const int ReferenceSide = 28;

    /// <summary>The largest shift <c>--augment</c> accepts.</summary>
    public const int MaxShift = 8;

    /// <summary>
    /// The shift for <paramref name="height"/>×<paramref name="width"/> images of a preset whose shift is
    /// <paramref name="shiftAt28"/> at 28×28: scaled by the shorter side over 28 and rounded, at least 1 and at most
    /// <see cref="MaxShift"/> (0 stays 0). A one-pixel shift of a 28×28 digit moves it by 3.6% of its frame; the same
    /// share of a 64×64 picture is 2 pixels, while 32×32 keeps 1 (so MNIST-sized runs train as before).
    /// </summary>
    public static int ScaledTo(int shiftAt28, long height, long width) =>
        shiftAt28 <= 0 ? 0
        : Math.Clamp((int)Math.Round(shiftAt28 * Math.Min(height, width) / (double)ReferenceSide, MidpointRounding.AwayFromZero), 1, MaxShift);

    /// <summary>
    /// Returns the shifted batch. <paramref name="background"/> is the normalised value of a black pixel. Offsets come
    /// from the CPU generator, so they are reproducible from the seed and restored on resume.
    /// </summary>
    public static Tensor Apply(Tensor images, int maxShift, double background)
    {
        if (maxShift <= 0)
        {
            return images.alias();
        }
        long n = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        var padded = nn.functional.pad(images, [maxShift, maxShift, maxShift, maxShift], PaddingModes.Constant, background);
        long pw = w + (2 * maxShift);
        var offsets = randint(0, (2 * maxShift) + 1, [n, 2], dtype: int64).to(images.device);
        // Flat index of each output pixel in its padded image: (y + dy) * pw + (x + dx).
        var ys = arange(h, dtype: int64, device: images.device).view(1, h, 1);
        var xs = arange(w, dtype: int64, device: images.device).view(1, 1, w);
        var dy = offsets[.., 0].view(n, 1, 1);
        var dx = offsets[.., 1].view(n, 1, 1);
        var index = ((ys + dy) * pw) + xs + dx; // [n,h,w]
        var flat = padded.reshape(n, c, -1);
        var gathered = flat.gather(2, index.view(n, 1, h * w).expand(n, c, h * w));
        return gathered.view(n, c, h, w);
    }
}
