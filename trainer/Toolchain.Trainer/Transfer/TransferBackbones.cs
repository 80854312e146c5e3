using Toolchain.Contracts;

namespace Toolchain.Trainer.Transfer;

/// <summary>Opens the backbone a run names: the built-in one or an ONNX file with its config.</summary>
public static class TransferBackbones
{
    /// <summary>The backbone of <paramref name="o"/>, checked.</summary>
    public static ITransferBackbone Open(TransferOptions o, Action<string> say) =>
        throw new ToolchainException("backbone: not wired yet");
}
