namespace Toolchain.Contracts;

/// <summary>The element type of a model's input tensor. Written to the card as "float32" or "float64".</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(ContractJsonConverter<ElementType>))]
public enum ElementType
{
    /// <summary>32-bit floats: the image and tabular nets.</summary>
    Float32,

    /// <summary>64-bit floats: the xor net, which the course fits in double precision.</summary>
    Float64,

    /// <summary>
    /// Raw 8-bit pixels (0–255): image graphs exported with <c>--input uint8</c>, which cast, scale and normalise at
    /// their head (<see cref="ModelCard.NormalizationInGraph"/>).
    /// </summary>
    UInt8,
}
