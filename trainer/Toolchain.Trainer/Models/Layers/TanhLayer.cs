using Toolchain.Trainer.Onnx;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Toolchain.Trainer.Models.Layers;

/// <summary><c>tanh</c>: ONNX Tanh.</summary>
/// <param name="Token">The token as written.</param>
/// <param name="Position">Offset of the token in the spec.</param>
public sealed record TanhLayer(string Token, int Position) : LayerSpec(Token, Position)
{
    /// <inheritdoc />
    public override string Name => "tanh";

    /// <inheritdoc />
    public override string ToCanonical() => Name;

    internal override Module<Tensor, Tensor> Build(long[] input) => Tanh();

    internal override void Emit(LayerEmission e)
    {
        e.Expect("Tanh");
        e.Node("Tanh", e.Prefix, [e.Current]);
    }
}
