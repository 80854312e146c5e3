using System.Text.Json.Serialization;

namespace Toolchain.Contracts;

/// <summary>
/// What a model's input values are before normalisation. Written to the card as the phrase each value names
/// ("white-on-black, scaled to [0,1]", "as stored, scaled to [0,1]", "none: raw features"). A card without one has
/// none (<see cref="ModelCard.PixelConvention"/> is null).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<PixelConvention>))]
public enum PixelConvention
{
    /// <summary>Grey pixels white on black as in MNIST (IDX datasets), scaled to [0,1].</summary>
    [JsonStringEnumMemberName("white-on-black, scaled to [0,1]")]
    WhiteOnBlack,

    /// <summary>
    /// Pixels as the files store them (RGB or grey, no polarity change), scaled to [0,1]: models trained on image
    /// folders. Their <see cref="PreprocessingMode.Resize"/> is the shorter side resized to the input size, then a
    /// centre crop.
    /// </summary>
    [JsonStringEnumMemberName("as stored, scaled to [0,1]")]
    AsStored,

    /// <summary>No pixels: feature vectors (tables, xor) taken as they are.</summary>
    [JsonStringEnumMemberName("none: raw features")]
    RawFeatures,
}
