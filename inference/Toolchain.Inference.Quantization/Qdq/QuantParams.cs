namespace Toolchain.Inference.Quantization.Qdq;

/// <summary>A scale and zero point: real = scale · (q − zeroPoint), q 8-bit unsigned (0 to 255) or signed (−128 to 127).</summary>
internal readonly record struct QuantParams(float Scale, int ZeroPoint, bool Unsigned)
{
    /// <summary>
    /// Asymmetric 8-bit parameters for an activation seen in [<paramref name="min"/>, <paramref name="max"/>], as ONNX
    /// Runtime's quantizer computes them: the range is widened to hold 0 exactly, mapped onto the 256 levels
    /// ([0, 255], or [−128, 127] when not <paramref name="unsigned"/>), and the zero point rounded. A range starting at
    /// 0 (after ReLU) gets the lowest level as zero point, so quantizing clamps negatives to 0: the ReLU itself.
    /// </summary>
    public static QuantParams Activation(float min, float max, bool unsigned)
    {
        var lowest = unsigned ? 0 : -128;
        double rmin = Math.Min(min, 0), rmax = Math.Max(max, 0);
        var scale = (float)((rmax - rmin) / 255.0);
        if (!(scale >= float.Epsilon) || !float.IsFinite(scale))
        {
            return new QuantParams(1f, 0, unsigned);
        }
        var zeroPoint = Math.Round(lowest - (rmin / scale), MidpointRounding.ToEven);
        return new QuantParams(scale, (int)Math.Clamp(zeroPoint, lowest, lowest + 255), unsigned);
    }

    /// <summary>
    /// Symmetric signed 8-bit weights per channel along <paramref name="axis"/> of <paramref name="dims"/>: zero point 0,
    /// scale max|w| / 127, values rounded half to even and clamped to [−127, 127] (ONNX Runtime's weight convention;
    /// −128 is left unused so that negation cannot overflow).
    /// </summary>
    public static (sbyte[] Values, float[] Scales) PerChannel(ReadOnlySpan<float> weights, IReadOnlyList<long> dims, int axis)
    {
        var channels = (int)dims[axis];
        long outer = 1, inner = 1;
        for (var d = 0; d < axis; d++)
        {
            outer *= dims[d];
        }
        for (var d = axis + 1; d < dims.Count; d++)
        {
            inner *= dims[d];
        }
        var absMax = new float[channels];
        for (long o = 0; o < outer; o++)
        {
            for (var c = 0; c < channels; c++)
            {
                var start = ((o * channels) + c) * inner;
                for (long i = 0; i < inner; i++)
                {
                    absMax[c] = Math.Max(absMax[c], Math.Abs(weights[(int)(start + i)]));
                }
            }
        }
        var scales = absMax.Select(m => m > 0 && float.IsFinite(m) ? m / 127f : 1f).ToArray();
        var values = new sbyte[weights.Length];
        for (long o = 0; o < outer; o++)
        {
            for (var c = 0; c < channels; c++)
            {
                var start = ((o * channels) + c) * inner;
                for (long i = 0; i < inner; i++)
                {
                    var k = (int)(start + i);
                    values[k] = (sbyte)Math.Clamp(Math.Round(weights[k] / scales[c], MidpointRounding.ToEven), -127, 127);
                }
            }
        }
        return (values, scales);
    }

    /// <summary>
    /// A bias as int32 with per-channel scale inputScale · weightScale[c] and zero point 0, so that the integer kernel
    /// adds it to its int32 accumulator as is; values beyond int32 are clamped (a scale that small means a degenerate range).
    /// </summary>
    public static (int[] Values, float[] Scales) Bias(ReadOnlySpan<float> bias, float inputScale, IReadOnlyList<float> weightScales)
    {
        var values = new int[bias.Length];
        var scales = new float[bias.Length];
        for (var c = 0; c < bias.Length; c++)
        {
            scales[c] = inputScale * weightScales[weightScales.Count == 1 ? 0 : c];
            var q = Math.Round(bias[c] / (double)scales[c], MidpointRounding.ToEven);
            values[c] = (int)Math.Clamp(double.IsFinite(q) ? q : 0, int.MinValue, int.MaxValue);
        }
        return (values, scales);
    }
}
