using System.Globalization;
using Toolchain.Contracts;

namespace Toolchain.Trainer.Training;

/// <summary>
/// The random changes made to each training image, resolved for the data: its level, and for the light and standard
/// levels the random resized crop, rotation, horizontal flip and colour jitter (whole-pixel shifts are
/// <see cref="TrainingOptions.AugmentShift"/>). Training only: the card records it, the exported graph never sees it.
/// </summary>
public sealed record ImageAugmentation
{
    /// <summary>The level it came from.</summary>
    public AugmentLevel Level { get; init; } = AugmentLevel.Shift;

    /// <summary>The smallest share of the image's area a random crop keeps (then resized back); 1 for no crops.</summary>
    public double CropScale { get; init; } = 1;

    /// <summary>The largest rotation either way, in degrees.</summary>
    public double RotationDegrees { get; init; }

    /// <summary>Whether half the images are mirrored left to right.</summary>
    public bool Flip { get; init; }

    /// <summary>How far brightness, contrast and (for colour) saturation are scaled either way: factors in [1 − j, 1 + j].</summary>
    public double ColourJitter { get; init; }

    /// <summary>Whether crops, rotations or flips are drawn (one resampling per batch).</summary>
    public bool IsGeometric => CropScale < 1 || RotationDegrees > 0 || Flip;

    /// <summary>The settings of <paramref name="level"/>; <paramref name="flip"/> says whether its flips apply (not for digits).</summary>
    public static ImageAugmentation For(AugmentLevel level, bool flip) => level switch
    {
        AugmentLevel.Light => new() { Level = level, CropScale = 0.85, RotationDegrees = 10, Flip = flip, ColourJitter = 0.1 },
        AugmentLevel.Standard => new() { Level = level, CropScale = 0.6, RotationDegrees = 15, Flip = flip, ColourJitter = 0.3 },
        _ => new() { Level = level },
    };

    /// <summary>The card's and metrics' record of it, added to the hyperparameters.</summary>
    public IEnumerable<KeyValuePair<string, string>> Hyperparameters()
    {
        yield return new("augment", EnumText.Of(Level));
        if (IsGeometric || ColourJitter > 0)
        {
            yield return new("augment_crop_scale", Num(CropScale));
            yield return new("augment_rotation", Num(RotationDegrees));
            yield return new("augment_flip", Flip ? "true" : "false");
            yield return new("augment_colour_jitter", Num(ColourJitter));
        }
    }

    /// <summary>One line for the run's start, e.g. "crops of 85–100% of the area, rotations up to ±10°, no flips (digits), colour jitter 0.1".</summary>
    public string Describe(bool digits) => string.Create(CultureInfo.InvariantCulture,
        $"crops of {100 * CropScale:0}–100% of the area, rotations up to ±{RotationDegrees:0.#}°, " +
        $"{(Flip ? "horizontal flips" : digits ? "no flips (digits; --flip on adds them)" : "no flips")}, colour jitter {ColourJitter:0.##}");

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
