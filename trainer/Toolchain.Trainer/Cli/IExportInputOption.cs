using CommandLine;

namespace Toolchain.Trainer.Cli;

/// <summary>
/// The <c>--input</c> option of <c>trainer train</c> and <c>trainer export</c>, declared once: what the exported graph
/// takes. CommandLineParser reads options declared on an interface a command's options implement.
/// </summary>
internal interface IExportInputOption
{
    /// <summary>What the exported graph takes: float (default) or uint8 pixels.</summary>
    [Option("input", HelpText = "what the ONNX graph takes: float (default; normalised values) or uint8 (raw 0-255 pixels; Cast, /255 and the normalisation run in the graph; image models)")]
    string? Input { get; set; }

    /// <summary>Whether <paramref name="options"/> ask for a uint8 pixel graph; a usage error for anything but float or uint8.</summary>
    static bool IsPixels(IExportInputOption options) => options.Input switch
    {
        null or "float" or "float32" => false,
        "uint8" => true,
        var text => throw new UsageException($"--input must be float or uint8, not '{text}'"),
    };
}
