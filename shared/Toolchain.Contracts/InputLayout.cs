using System.Text.Json.Serialization;

namespace Toolchain.Contracts;

/// <summary>How a model's input is laid out. Written to the card as "NCHW" or "NC".</summary>
[JsonConverter(typeof(JsonStringEnumConverter<InputLayout>))]
public enum InputLayout
{
    /// <summary>Images: batch, channels, height, width.</summary>
    [JsonStringEnumMemberName("NCHW")]
    Nchw,

    /// <summary>Feature vectors: batch, features.</summary>
    [JsonStringEnumMemberName("NC")]
    Nc,
}
