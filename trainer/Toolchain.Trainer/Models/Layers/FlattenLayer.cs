using Toolchain.Trainer.Onnx;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Toolchain.Trainer.Models.Layers;

/// <summary><c>flatten</c>: keeps the batch axis, flattens the rest.</summary>
/// <param name="Token">The token as written.</param>
/// <param name="Position">Offset of the token in the spec.</param>
public sealed record FlattenLayer(string Token, int Position) : LayerSpec(Token, Position)
{
    /// <inheritdoc />
    public override string Name => "flatten";

    /// <inheritdoc />
    public override string ToCanonical() => Name;

    internal override long[] OutputShape(long[] input) => [input.Aggregate(1L, (a, b) => a * b)];

    internal override Module<Tensor, Tensor> Build(long[] input) => Flatten();

    internal override void Emit(LayerEmission e)
    {
        e.Expect("Flatten");
        e.Node("Flatten", e.Prefix, [e.Current], OnnxAttribute.Int("axis", 1));
    }
}
