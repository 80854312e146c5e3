using Onnx;
using Toolchain.Trainer.Onnx;

namespace Toolchain.Trainer.Models.Layers;

/// <summary>A square 2-D pooling window: <c>kernel</c>, <c>stride</c> (default: the kernel) and zero <c>pad</c>.</summary>
/// <param name="Token">The token as written.</param>
/// <param name="Position">Offset of the token in the spec.</param>
/// <param name="Kernel">Window size.</param>
/// <param name="Stride">Stride.</param>
/// <param name="Padding">Padding on each side, at most half the window.</param>
public abstract record PoolLayer(string Token, int Position, int Kernel, int Stride, int Padding) : LayerSpec(Token, Position)
{
    /// <inheritdoc />
    public override string ToCanonical() => $"{Name}({Kernel}{Opt("stride", Stride, Kernel)}{Opt("pad", Padding, 0)})";

    /// <summary>Reads <c>(kernel, stride=kernel, pad=0)</c>.</summary>
    private protected static (int Kernel, int Stride, int Padding) ParseWindow(LayerArgs a)
    {
        int kernel = a.Int(0, "kernel", null, min: 1);
        return (kernel, a.Int(1, "stride", kernel, min: 1), a.Int(2, "pad", 0, min: 0, alias: "padding"));
    }

    internal override long[] OutputShape(long[] input)
    {
        RequireImage(input);
        if (Padding * 2 > Kernel)
        {
            throw new LayerMisfit("padding must be at most half the kernel size");
        }
        return [input[0], WindowOut(input[1], Kernel, Stride, Padding, 1), WindowOut(input[2], Kernel, Stride, Padding, 1)];
    }

    /// <summary>The window attributes every ONNX pooling node takes.</summary>
    private protected AttributeProto[] WindowAttributes() =>
    [
        OnnxAttribute.Ints("kernel_shape", Kernel, Kernel),
        OnnxAttribute.Ints("strides", Stride, Stride),
        OnnxAttribute.Ints("pads", Padding, Padding, Padding, Padding),
    ];
}
