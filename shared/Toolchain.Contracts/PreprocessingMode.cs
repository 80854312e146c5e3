using System.Text.Json.Serialization;

namespace Toolchain.Contracts;

/// <summary>
/// How an input is prepared before normalisation. One vocabulary from the card to the command-line flags: "none",
/// "digit" and "resize".
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<PreprocessingMode>))]
public enum PreprocessingMode
{
    /// <summary>Taken as it is: a feature vector, or an image already in the model's size (MNIST-style, white on black).</summary>
    [JsonStringEnumMemberName("none")]
    None,

    /// <summary>An image with a digit: the ink is found, cropped, fitted into 20×20 and centred by mass, as MNIST was built.</summary>
    [JsonStringEnumMemberName("digit")]
    Digit,

    /// <summary>
    /// An image brought to the model's size. For models of white-on-black pixels (IDX datasets) it is fitted whole,
    /// with the same polarity and contrast handling as <see cref="Digit"/>; for models trained on image folders
    /// (<see cref="PixelConvention.AsStored"/>) its shorter side is resized to the input size and the centre cropped,
    /// in the card's channels, as torchvision's Resize plus CenterCrop.
    /// </summary>
    [JsonStringEnumMemberName("resize")]
    Resize,
}
