namespace Toolchain.Contracts;

/// <summary>How a model's input is laid out. Written to the card as "NCHW" or "NC".</summary>
public enum InputLayout
{
    /// <summary>Images: batch, channels, height, width.</summary>
    Nchw,

    /// <summary>Feature vectors: batch, features.</summary>
    Nc,
}
