using System.Globalization;
using Toolchain.Contracts;

namespace Toolchain.Inference.Quantization.Measuring;

/// <summary>Says whether a quantized model is faster on this machine, and why, in one line.</summary>
public static class SpeedVerdict
{
    /// <summary>Below this speed-up a model counts as no faster: the machine's drift is as large.</summary>
    public const double Faster = 1.1;

    /// <summary>The verdict for <paramref name="comparison"/> (float32 baseline, quantized candidate) on <paramref name="cpu"/>.</summary>
    public static string For(QuantizationFormat format, BatchComparison comparison, CpuFeatures cpu)
    {
        var c = CultureInfo.InvariantCulture;
        var s = comparison.Speedup;
        var at = $"{s.ToString("0.00", c)}x float32 at batch {comparison.BatchSize}";
        if (format == QuantizationFormat.Float16)
        {
            return $"float16 is for GPU serving: on this CPU it runs at {at}, because ONNX Runtime's CPU provider runs most float16 operators in float32 between Casts";
        }
        if (s >= Faster)
        {
            return cpu.HasInt8DotProduct
                ? $"INT8 is faster here ({at}): this CPU multiplies 8-bit values into 32-bit sums in one instruction ({cpu.Int8Instructions})"
                : $"INT8 is faster here ({at}) even without VNNI or AMX: moving a quarter of the bytes outweighs the slower 8-bit multiply-adds";
        }
        return cpu.HasInt8DotProduct
            ? $"INT8 is not faster here ({at}) although the CPU has {cpu.Int8Instructions}: quantizing and dequantizing where the graph stays float32 costs as much as the 8-bit arithmetic saves (small layers, or layers kept in float32)"
            : $"INT8 is not faster here ({at}): this CPU has no VNNI or AMX, so 8-bit products take three instructions and saturating 16-bit sums";
    }

    /// <summary>The warning for a CPU without 8-bit dot products, or null when it has them.</summary>
    public static string? Warning(CpuFeatures cpu) => cpu.HasInt8DotProduct ? null
        : $"this CPU ({cpu.Model}) has no VNNI or AMX (avx512_vnni, avx_vnni, amx_int8 all absent): INT8 gains little or nothing here; a VNNI CPU serves it faster";
}
