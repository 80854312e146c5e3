using Toolchain.Trainer.Onnx;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Toolchain.Trainer.Models.Layers;

/// <summary><c>linear(out)</c> (also <c>dense</c>, <c>fc</c>): a fully connected layer with bias; ONNX Gemm.</summary>
/// <param name="Token">The token as written.</param>
/// <param name="Position">Offset of the token in the spec.</param>
/// <param name="OutFeatures">Output features.</param>
public sealed record LinearLayer(string Token, int Position, int OutFeatures) : LayerSpec(Token, Position)
{
    /// <inheritdoc />
    public override string Name => "linear";

    /// <inheritdoc />
    public override bool HasParameters => true;

    /// <inheritdoc />
    public override string ToCanonical() => $"linear({OutFeatures})";

    internal static LinearLayer Parse(LayerArgs a) => new(a.Token, a.Position, a.Int(0, "out", null, min: 1));

    internal override long[] OutputShape(long[] input) => input.Length == 1
        ? [OutFeatures]
        : throw new LayerMisfit($"needs a flat input but gets {ArchitectureSpec.FormatShape(input)}; add 'flatten' before it");

    internal override double ParameterCount(long[] input) => ((double)input[0] * OutFeatures) + OutFeatures;

    internal override Module<Tensor, Tensor> Build(long[] input) => Linear(input[0], OutFeatures);

    internal override void Emit(LayerEmission e)
    {
        e.Expect("Linear");
        e.Node("Gemm", e.Prefix, [e.Current, e.Weight(), e.Bias()], OnnxAttribute.Int("transB", 1));
    }
}
