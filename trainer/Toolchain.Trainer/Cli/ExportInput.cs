using Toolchain.Shared.Cli;

namespace Toolchain.Trainer.Cli;

/// <summary>The <c>--input</c> option of <c>trainer export</c> and <c>trainer train</c>: what the exported graph takes.</summary>
public static class ExportInput
{
    /// <summary>The option's help text.</summary>
    public const string Help = "what the ONNX graph takes: float (default; normalised values) or uint8 (raw 0-255 pixels; Cast, /255 and the normalisation run in the graph; image models)";

    /// <summary>Whether <paramref name="text"/> asks for a uint8 pixel graph; a usage error for anything but float or uint8.</summary>
    public static bool IsPixels(string? text) => text switch
    {
        null or "float" or "float32" => false,
        "uint8" => true,
        _ => throw new UsageException($"--input must be float or uint8, not '{text}'"),
    };
}
