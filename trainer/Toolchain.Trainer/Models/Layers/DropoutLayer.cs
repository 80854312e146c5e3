using Toolchain.Trainer.Onnx;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Toolchain.Trainer.Models.Layers;

/// <summary><c>dropout(p=0.5)</c>: identity at inference, so it emits no node.</summary>
/// <param name="Token">The token as written.</param>
/// <param name="Position">Offset of the token in the spec.</param>
/// <param name="P">Drop probability.</param>
public sealed record DropoutLayer(string Token, int Position, double P) : LayerSpec(Token, Position)
{
    /// <inheritdoc />
    public override string Name => "dropout";

    /// <inheritdoc />
    public override bool IsIdentityAtInference => true;

    /// <inheritdoc />
    public override string ToCanonical() => P == 0.5 ? "dropout" : $"dropout({Num(P)})";

    internal static DropoutLayer Parse(LayerArgs a) => new(a.Token, a.Position, a.Double(0, "p", 0.5, min: 0, max: 0.999999));

    internal override Module<Tensor, Tensor> Build(long[] input) => Dropout(P);

    internal override void Emit(LayerEmission e) => e.Expect("Dropout");
}
