using System.Text.Json.Serialization;

namespace Toolchain.Trainer.Training;

/// <summary>How much training images are varied (<c>--augment</c>; see <see cref="ImageAugmentation"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AugmentLevel>))]
public enum AugmentLevel
{
    /// <summary>"shift": whole-pixel shifts only, by <c>--augment N</c> pixels (a checkpoint from before the presets reads as this).</summary>
    [JsonStringEnumMemberName("shift")]
    Shift,

    /// <summary>"none": the images as they are.</summary>
    [JsonStringEnumMemberName("none")]
    None,

    /// <summary>"light": shifts, crops of 85–100% of the area, rotations up to ±10°, flips, colour jitter 0.1.</summary>
    [JsonStringEnumMemberName("light")]
    Light,

    /// <summary>"standard": shifts, crops of 60–100% of the area, rotations up to ±15°, flips, colour jitter 0.3.</summary>
    [JsonStringEnumMemberName("standard")]
    Standard,

    /// <summary>"auto": chosen for the data once it is loaded (see <see cref="RecipeFit"/>).</summary>
    [JsonStringEnumMemberName("auto")]
    Auto,
}

/// <summary>Whether training images are mirrored left to right (<c>--flip</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FlipMode>))]
public enum FlipMode
{
    /// <summary>"auto": flips when the augmentation has them, except for digits (a mirrored 2 is no 2).</summary>
    [JsonStringEnumMemberName("auto")]
    Auto,

    /// <summary>"on": flips even for digits.</summary>
    [JsonStringEnumMemberName("on")]
    On,

    /// <summary>"off": never.</summary>
    [JsonStringEnumMemberName("off")]
    Off,
}
