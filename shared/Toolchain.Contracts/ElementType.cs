using System.Text.Json.Serialization;

namespace Toolchain.Contracts;

/// <summary>The element type of a model's input tensor. Written to the card as "float32" or "float64".</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ElementType>))]
public enum ElementType
{
    /// <summary>32-bit floats: the image and tabular nets.</summary>
    [JsonStringEnumMemberName("float32")]
    Float32,

    /// <summary>64-bit floats: the xor net, which the course fits in double precision.</summary>
    [JsonStringEnumMemberName("float64")]
    Float64,

    /// <summary>
    /// Raw 8-bit pixels (0–255): image graphs exported with <c>--input uint8</c>, which cast, scale and normalise at
    /// their head (<see cref="ModelCard.NormalizationInGraph"/>).
    /// </summary>
    [JsonStringEnumMemberName("uint8")]
    UInt8,
}
