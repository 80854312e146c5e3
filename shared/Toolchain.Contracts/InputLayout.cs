namespace Toolchain.Contracts;

/// <summary>How a model's input is laid out. Written to the card as "NCHW" or "NC".</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(ContractJsonConverter<InputLayout>))]
public enum InputLayout
{
    /// <summary>Images: batch, channels, height, width.</summary>
    Nchw,

    /// <summary>Feature vectors: batch, features.</summary>
    Nc,
}
