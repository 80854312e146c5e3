using Toolchain.Trainer.Onnx;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Toolchain.Trainer.Models.Layers;

/// <summary><c>relu</c>: ONNX Relu.</summary>
/// <param name="Token">The token as written.</param>
/// <param name="Position">Offset of the token in the spec.</param>
public sealed record ReluLayer(string Token, int Position) : LayerSpec(Token, Position)
{
    /// <inheritdoc />
    public override string Name => "relu";

    /// <inheritdoc />
    public override string ToCanonical() => Name;

    internal override Module<Tensor, Tensor> Build(long[] input) => ReLU();

    internal override void Emit(LayerEmission e)
    {
        e.Expect("ReLU");
        e.Node("Relu", e.Prefix, [e.Current]);
    }
}
