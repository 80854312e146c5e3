using Toolchain.Trainer.Onnx;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Toolchain.Trainer.Models.Layers;

/// <summary><c>leakyrelu(slope=0.01)</c>.</summary>
/// <param name="Token">The token as written.</param>
/// <param name="Position">Offset of the token in the spec.</param>
/// <param name="Slope">Negative slope.</param>
public sealed record LeakyReluLayer(string Token, int Position, double Slope) : LayerSpec(Token, Position)
{
    /// <inheritdoc />
    public override string Name => "leakyrelu";

    /// <inheritdoc />
    public override string ToCanonical() => Slope == 0.01 ? "leakyrelu" : $"leakyrelu({Num(Slope)})";

    internal static LeakyReluLayer Parse(LayerArgs a) => new(a.Token, a.Position, a.Double(0, "slope", 0.01, min: 0, max: double.MaxValue));

    internal override Module<Tensor, Tensor> Build(long[] input) => LeakyReLU(Slope);

    internal override void Emit(LayerEmission e)
    {
        e.Expect("LeakyReLU");
        string p = e.Prefix;
        // LeakyRelu's alpha is a float attribute; a float64 net whose slope float cannot hold exactly would drift
        // from TorchSharp, so it gets x < 0 ? x * slope : x with the slope as a double constant instead.
        if (!e.Type.IsDouble || (double)(float)Slope == Slope)
        {
            e.Node("LeakyRelu", p, [e.Current], OnnxAttribute.Float("alpha", Slope));
            return;
        }
        var x = e.Current;
        var slopeName = e.Initializer(OnnxInitializers.FromValues($"{p}.slope", [Slope], [], e.Type));
        var zeroName = e.Initializer(OnnxInitializers.FromValues($"{p}.zero", [0], [], e.Type));
        e.Node("Less", $"{p}_negative", [x, zeroName]);
        var negative = e.Current;
        e.Node("Mul", $"{p}_scaled", [x, slopeName]);
        var scaled = e.Current;
        e.Node("Where", p, [negative, scaled, x]);
    }
}
