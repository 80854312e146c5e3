using Toolchain.Contracts;

namespace Toolchain.Trainer.Transfer;

/// <summary>What the export wrote.</summary>
/// <param name="Path">model.onnx.</param>
/// <param name="MaxAbsDiff">ONNX Runtime against TorchSharp.</param>
/// <param name="Summary">One line for the user.</param>
public sealed record TransferExported(string Path, double MaxAbsDiff, string Summary);

/// <summary>Writes a transfer run as one model.onnx.</summary>
public static class TransferExport
{
    /// <summary>Composes, writes and verifies the model.</summary>
    public static TransferExported Write(TransferOptions o, ITransferBackbone backbone, TransferResult result, string path, bool pixelInput) =>
        throw new ToolchainException("export: not wired yet");
}
