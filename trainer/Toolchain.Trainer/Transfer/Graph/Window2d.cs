using Onnx;

namespace Toolchain.Trainer.Transfer.Graph;

/// <summary>
/// The sliding window of a 2-D Conv, MaxPool or AveragePool node: kernel, strides, dilations, ceil mode and pads,
/// which ONNX lets be asymmetric ([top, left, bottom, right]) or derived from the input size (<c>auto_pad</c>
/// SAME_UPPER/SAME_LOWER), where torch's own padding is symmetric only: ops pad explicitly when they differ.
/// </summary>
internal sealed record Window2d(long[] Kernel, long[] Strides, long[] Dilations, long[] Pads, string AutoPad, bool CeilMode)
{
    public static Window2d Parse(NodeContext node, long[]? kernelOfWeight)
    {
        var kernel = node.Ints("kernel_shape") ?? kernelOfWeight ?? throw node.Refuse("has no kernel_shape");
        if (kernel.Length != 2)
        {
            throw node.Refuse($"has a {kernel.Length}-D kernel; import supports 2-D images only");
        }
        if (kernelOfWeight is not null && !kernel.SequenceEqual(kernelOfWeight))
        {
            throw node.Refuse($"has kernel_shape [{string.Join(',', kernel)}] but weights of [{string.Join(',', kernelOfWeight)}]");
        }
        var strides = node.Ints("strides") ?? [1, 1];
        var dilations = node.Ints("dilations") ?? [1, 1];
        var pads = node.Ints("pads") ?? [0, 0, 0, 0];
        var autoPad = node.String("auto_pad", "NOTSET");
        if (strides.Length != 2 || dilations.Length != 2 || pads.Length != 4
            || strides.Any(s => s < 1) || dilations.Any(d => d < 1) || pads.Any(p => p < 0) || kernel.Any(k => k < 1))
        {
            throw node.Refuse("has strides, dilations, pads or kernel_shape that are not a valid 2-D window");
        }
        if (autoPad is not ("NOTSET" or "VALID" or "SAME_UPPER" or "SAME_LOWER"))
        {
            throw node.Refuse($"has auto_pad '{autoPad}'");
        }
        if (autoPad != "NOTSET" && pads.Any(p => p != 0))
        {
            throw node.Refuse("has both auto_pad and explicit pads");
        }
        return new Window2d(kernel, strides, dilations, pads, autoPad, node.Int("ceil_mode", 0) != 0);
    }

    /// <summary>The pads [top, left, bottom, right] for an input of <paramref name="height"/> × <paramref name="width"/>.</summary>
    public long[] PadsFor(long height, long width)
    {
        if (AutoPad is "NOTSET")
        {
            return Pads;
        }
        if (AutoPad is "VALID")
        {
            return [0, 0, 0, 0];
        }
        long Total(long size, int axis)
        {
            long output = (size + Strides[axis] - 1) / Strides[axis];
            return Math.Max(0, ((output - 1) * Strides[axis]) + ((Kernel[axis] - 1) * Dilations[axis]) + 1 - size);
        }
        long th = Total(height, 0), tw = Total(width, 1);
        // SAME_UPPER puts the odd pixel at the end, SAME_LOWER at the beginning.
        return AutoPad == "SAME_UPPER"
            ? [th / 2, tw / 2, th - (th / 2), tw - (tw / 2)]
            : [th - (th / 2), tw - (tw / 2), th / 2, tw / 2];
    }

    /// <summary>The window's attributes at the target opset; <paramref name="withDilations"/> and <paramref name="withCeilMode"/> where the op has them.</summary>
    public IEnumerable<AttributeProto> Attributes(bool withDilations, bool withCeilMode)
    {
        yield return GraphWriter.Ints("kernel_shape", Kernel);
        yield return GraphWriter.Ints("strides", Strides);
        if (AutoPad == "NOTSET")
        {
            yield return GraphWriter.Ints("pads", Pads);
        }
        else
        {
            yield return GraphWriter.Text("auto_pad", AutoPad);
        }
        if (withDilations)
        {
            yield return GraphWriter.Ints("dilations", Dilations);
        }
        if (withCeilMode && CeilMode)
        {
            yield return GraphWriter.Int("ceil_mode", 1);
        }
    }
}
