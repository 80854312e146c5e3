using Toolchain.Trainer.Onnx;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Toolchain.Trainer.Models.Layers;

/// <summary>
/// <c>avgpool(kernel,stride=kernel,pad=0)</c> (also <c>avgpool2d</c>). Padding counts in the divisor, as PyTorch's
/// default (count_include_pad=True); ONNX's AveragePool is told so.
/// </summary>
/// <param name="Token">The token as written.</param>
/// <param name="Position">Offset of the token in the spec.</param>
/// <param name="Kernel">Window size.</param>
/// <param name="Stride">Stride.</param>
/// <param name="Padding">Padding on each side.</param>
public sealed record AvgPoolLayer(string Token, int Position, int Kernel, int Stride, int Padding) : PoolLayer(Token, Position, Kernel, Stride, Padding)
{
    /// <inheritdoc />
    public override string Name => "avgpool";

    internal static AvgPoolLayer Parse(LayerArgs a)
    {
        var (kernel, stride, padding) = ParseWindow(a);
        return new(a.Token, a.Position, kernel, stride, padding);
    }

    internal override Module<Tensor, Tensor> Build(long[] input) => AvgPool2d(Kernel, Stride, Padding);

    internal override void Emit(LayerEmission e)
    {
        e.Expect("AvgPool2d");
        e.Node("AveragePool", e.Prefix, [e.Current], [.. WindowAttributes(), OnnxAttribute.Int("count_include_pad", 1)]);
    }
}
