using System.Globalization;
using Toolchain.Trainer.Onnx;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Toolchain.Trainer.Models.Layers;

/// <summary>
/// One layer of an <see cref="ArchitectureSpec"/>, with every parameter resolved to its value. Each kind is one type
/// that parses itself (<see cref="LayerCatalog"/> maps its names to its parser), infers its output shape, builds its
/// TorchSharp module and emits its ONNX nodes: adding a kind is one new type and one catalog line.
/// </summary>
/// <param name="Token">The token as written in the spec, for messages.</param>
/// <param name="Position">Zero-based character offset of the token in the spec string.</param>
public abstract record LayerSpec(string Token, int Position)
{
    /// <summary>The canonical name of the kind, e.g. <c>conv</c>, as messages and the canonical text use it.</summary>
    public abstract string Name { get; }

    /// <summary>True for layers that hold trainable parameters.</summary>
    public virtual bool HasParameters => false;

    /// <summary>True for layers that pass their input through unchanged at inference (dropout).</summary>
    public virtual bool IsIdentityAtInference => false;

    /// <summary>The canonical text of this layer, which parses back to an equal layer.</summary>
    public abstract string ToCanonical();

    /// <summary>
    /// The output shape for <paramref name="input"/> (batch axis excluded); throws <see cref="LayerMisfit"/> when the
    /// layer cannot take that input.
    /// </summary>
    internal virtual long[] OutputShape(long[] input) => input;

    /// <summary>Trainable parameters for <paramref name="input"/> (as a double: a damaged checkpoint's shape can exceed a long).</summary>
    internal virtual double ParameterCount(long[] input) => 0;

    /// <summary>The TorchSharp module for <paramref name="input"/>, in float32 on the CPU.</summary>
    internal abstract Module<Tensor, Tensor> Build(long[] input);

    /// <summary>Emits this layer's nodes, reading its weights from <paramref name="e"/>'s module.</summary>
    internal abstract void Emit(LayerEmission e);

    /// <summary><c>,name=value</c> when the value is not the default.</summary>
    private protected static string Opt(string name, int value, int dflt) => value == dflt ? "" : $",{name}={value}";

    /// <summary>A double as the canonical text writes it (round-trip, invariant).</summary>
    private protected static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The input must be [channels,height,width].</summary>
    private protected static void RequireImage(long[] input)
    {
        if (input.Length != 3)
        {
            throw new LayerMisfit($"needs a [channels,height,width] input but gets {ArchitectureSpec.FormatShape(input)}");
        }
    }

    /// <summary>PyTorch's output size of a window sliding over <paramref name="size"/>.</summary>
    private protected static long WindowOut(long size, int kernel, int stride, int padding, int dilation)
    {
        long span = size + (2L * padding) - ((long)dilation * (kernel - 1)) - 1;
        return span < 0 ? 0 : (span / stride) + 1; // a window larger than the input leaves nothing
    }
}

/// <summary>A layer that does not fit its input; <see cref="ArchitectureSpec"/> turns it into a <see cref="SpecParseException"/> at the layer's token.</summary>
/// <param name="problem">What is wrong, e.g. "needs a flat input but gets [8,26,26]".</param>
internal sealed class LayerMisfit(string problem) : Exception(problem)
{
    public string Problem { get; } = problem;
}
