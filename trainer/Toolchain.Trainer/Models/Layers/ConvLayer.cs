using Toolchain.Trainer.Onnx;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Toolchain.Trainer.Models.Layers;

/// <summary><c>conv(out,kernel,stride=1,pad=0,dilation=1,groups=1)</c> (also <c>conv2d</c>): a 2-D convolution with bias, square kernel.</summary>
/// <param name="Token">The token as written.</param>
/// <param name="Position">Offset of the token in the spec.</param>
/// <param name="OutChannels">Output channels.</param>
/// <param name="Kernel">Kernel size.</param>
/// <param name="Stride">Stride.</param>
/// <param name="Padding">Zero padding on each side.</param>
/// <param name="Dilation">Dilation.</param>
/// <param name="Groups">Groups.</param>
public sealed record ConvLayer(string Token, int Position, int OutChannels, int Kernel, int Stride, int Padding, int Dilation, int Groups)
    : LayerSpec(Token, Position)
{
    /// <inheritdoc />
    public override string Name => "conv";

    /// <inheritdoc />
    public override bool HasParameters => true;

    /// <inheritdoc />
    public override string ToCanonical() =>
        $"conv({OutChannels},{Kernel}{Opt("stride", Stride, 1)}{Opt("pad", Padding, 0)}{Opt("dilation", Dilation, 1)}{Opt("groups", Groups, 1)})";

    /// <summary>The convolution's geometry on an input of <paramref name="input"/> ([channels,height,width]).</summary>
    public ConvGeometry Geometry(long[] input) => new(input[0], OutChannels, input[1], input[2], Kernel, Stride, Padding, Dilation, Groups);

    internal static ConvLayer Parse(LayerArgs a) => new(a.Token, a.Position,
        OutChannels: a.Int(0, "out", null, min: 1),
        Kernel: a.Int(1, "kernel", null, min: 1),
        Stride: a.Int(2, "stride", 1, min: 1),
        Padding: a.Int(3, "pad", 0, min: 0, alias: "padding"),
        Dilation: a.Int(4, "dilation", 1, min: 1),
        Groups: a.Int(5, "groups", 1, min: 1));

    internal override long[] OutputShape(long[] input)
    {
        RequireImage(input);
        if (input[0] % Groups != 0 || OutChannels % Groups != 0)
        {
            throw new LayerMisfit($"groups={Groups} must divide both input channels {input[0]} and output channels {OutChannels}");
        }
        return [OutChannels, WindowOut(input[1], Kernel, Stride, Padding, Dilation), WindowOut(input[2], Kernel, Stride, Padding, Dilation)];
    }

    internal override double ParameterCount(long[] input) => ((double)OutChannels * (input[0] / (double)Groups) * Kernel * Kernel) + OutChannels;

    internal override Module<Tensor, Tensor> Build(long[] input) =>
        Conv2d(input[0], OutChannels, Kernel, stride: Stride, padding: Padding, dilation: Dilation, groups: Groups);

    internal override void Emit(LayerEmission e)
    {
        e.Expect("Conv2d");
        e.Node("Conv", e.Prefix, [e.Current, e.Weight(), e.Bias()],
            OnnxAttribute.Ints("kernel_shape", Kernel, Kernel),
            OnnxAttribute.Ints("strides", Stride, Stride),
            OnnxAttribute.Ints("pads", Padding, Padding, Padding, Padding),
            OnnxAttribute.Ints("dilations", Dilation, Dilation),
            OnnxAttribute.Int("group", Groups));
    }
}
