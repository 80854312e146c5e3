namespace Toolchain.Trainer.Models;

/// <summary>The kinds of layer an architecture spec can name.</summary>
public enum LayerKind
{
    /// <summary><c>linear(out)</c>: a fully connected layer with bias.</summary>
    Linear,
    /// <summary><c>conv(out,kernel,stride=1,pad=0,dilation=1,groups=1)</c>: a 2-D convolution with bias.</summary>
    Conv,
    /// <summary><c>maxpool(kernel,stride=kernel,pad=0)</c>.</summary>
    MaxPool,
    /// <summary><c>avgpool(kernel,stride=kernel,pad=0)</c>; padding is excluded from the average divisor only when pad is 0, as in PyTorch's default (count_include_pad=True).</summary>
    AvgPool,
    /// <summary><c>relu</c>.</summary>
    Relu,
    /// <summary><c>sigmoid</c>.</summary>
    Sigmoid,
    /// <summary><c>tanh</c>.</summary>
    Tanh,
    /// <summary><c>leakyrelu(slope=0.01)</c>.</summary>
    LeakyRelu,
    /// <summary><c>dropout(p=0.5)</c>: identity at inference.</summary>
    Dropout,
    /// <summary><c>flatten</c>: keeps the batch axis, flattens the rest.</summary>
    Flatten,
    /// <summary><c>batchnorm(eps=1e-5,momentum=0.1)</c>: 1-D over features or 2-D over channels, chosen by the input rank.</summary>
    BatchNorm,
}

/// <summary>
/// One layer of an <see cref="ArchitectureSpec"/> with every parameter resolved to its value.
/// Unused parameters keep their defaults and are ignored by layers that do not have them.
/// </summary>
/// <param name="Kind">The layer kind.</param>
/// <param name="Token">The token as written in the spec, for messages.</param>
/// <param name="Position">Zero-based character offset of the token in the spec string.</param>
public sealed record LayerSpec(LayerKind Kind, string Token, int Position)
{
    /// <summary>Output features (linear) or output channels (conv).</summary>
    public int OutFeatures { get; init; }

    /// <summary>Kernel size of conv and pooling layers (square).</summary>
    public int Kernel { get; init; }

    /// <summary>Stride of conv and pooling layers.</summary>
    public int Stride { get; init; } = 1;

    /// <summary>Zero padding on each side for conv and pooling layers.</summary>
    public int Padding { get; init; }

    /// <summary>Dilation of conv layers.</summary>
    public int Dilation { get; init; } = 1;

    /// <summary>Groups of conv layers.</summary>
    public int Groups { get; init; } = 1;

    /// <summary>Negative slope of leakyrelu.</summary>
    public double Slope { get; init; } = 0.01;

    /// <summary>Drop probability of dropout.</summary>
    public double P { get; init; } = 0.5;

    /// <summary>Epsilon of batchnorm.</summary>
    public double Eps { get; init; } = 1e-5;

    /// <summary>Running-statistics momentum of batchnorm.</summary>
    public double Momentum { get; init; } = 0.1;

    /// <summary>True for layers that hold trainable parameters.</summary>
    public bool HasParameters => Kind is LayerKind.Linear or LayerKind.Conv or LayerKind.BatchNorm;

    /// <summary>The canonical text of this layer, which parses back to an equal layer.</summary>
    public string ToCanonical() => Kind switch
    {
        LayerKind.Linear => $"linear({OutFeatures})",
        LayerKind.Conv => $"conv({OutFeatures},{Kernel}{Opt("stride", Stride, 1)}{Opt("pad", Padding, 0)}{Opt("dilation", Dilation, 1)}{Opt("groups", Groups, 1)})",
        LayerKind.MaxPool => $"maxpool({Kernel}{Opt("stride", Stride, Kernel)}{Opt("pad", Padding, 0)})",
        LayerKind.AvgPool => $"avgpool({Kernel}{Opt("stride", Stride, Kernel)}{Opt("pad", Padding, 0)})",
        LayerKind.Relu => "relu",
        LayerKind.Sigmoid => "sigmoid",
        LayerKind.Tanh => "tanh",
        LayerKind.LeakyRelu => Slope == 0.01 ? "leakyrelu" : $"leakyrelu({Num(Slope)})",
        LayerKind.Dropout => P == 0.5 ? "dropout" : $"dropout({Num(P)})",
        LayerKind.Flatten => "flatten",
        LayerKind.BatchNorm => "batchnorm" + (Eps == 1e-5 && Momentum == 0.1 ? "" : $"(eps={Num(Eps)},momentum={Num(Momentum)})"),
        _ => throw new InvalidOperationException($"unknown layer kind {Kind}"),
    };

    private static string Opt(string name, int value, int dflt) => value == dflt ? "" : $",{name}={value}";

    private static string Num(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
