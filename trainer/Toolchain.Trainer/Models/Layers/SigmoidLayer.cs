using Toolchain.Trainer.Onnx;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Toolchain.Trainer.Models.Layers;

/// <summary><c>sigmoid</c>: ONNX Sigmoid.</summary>
/// <param name="Token">The token as written.</param>
/// <param name="Position">Offset of the token in the spec.</param>
public sealed record SigmoidLayer(string Token, int Position) : LayerSpec(Token, Position)
{
    /// <inheritdoc />
    public override string Name => "sigmoid";

    /// <inheritdoc />
    public override string ToCanonical() => Name;

    internal override Module<Tensor, Tensor> Build(long[] input) => Sigmoid();

    internal override void Emit(LayerEmission e)
    {
        e.Expect("Sigmoid");
        e.Node("Sigmoid", e.Prefix, [e.Current]);
    }
}
