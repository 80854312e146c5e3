using Toolchain.Trainer.Onnx;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Toolchain.Trainer.Models.Layers;

/// <summary><c>maxpool(kernel,stride=kernel,pad=0)</c> (also <c>maxpool2d</c>).</summary>
/// <param name="Token">The token as written.</param>
/// <param name="Position">Offset of the token in the spec.</param>
/// <param name="Kernel">Window size.</param>
/// <param name="Stride">Stride.</param>
/// <param name="Padding">Padding on each side.</param>
public sealed record MaxPoolLayer(string Token, int Position, int Kernel, int Stride, int Padding) : PoolLayer(Token, Position, Kernel, Stride, Padding)
{
    /// <inheritdoc />
    public override string Name => "maxpool";

    internal static MaxPoolLayer Parse(LayerArgs a)
    {
        var (kernel, stride, padding) = ParseWindow(a);
        return new(a.Token, a.Position, kernel, stride, padding);
    }

    internal override Module<Tensor, Tensor> Build(long[] input) => MaxPool2d(Kernel, Stride, Padding);

    internal override void Emit(LayerEmission e)
    {
        e.Expect("MaxPool2d");
        e.Node("MaxPool", e.Prefix, [e.Current], WindowAttributes());
    }
}
