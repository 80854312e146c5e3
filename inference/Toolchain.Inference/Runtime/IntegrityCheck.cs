using System.Globalization;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Toolchain.Contracts;

namespace Toolchain.Inference.Runtime;

/// <summary>
/// Checks a model file against the integrity record its card carries: the <see cref="GraphDigest"/> of the graph as
/// exported, which any changed bit of the graph or its weights breaks, and the reference outputs ONNX Runtime gave at
/// export, which the session now loaded must reproduce.
/// </summary>
internal static class IntegrityCheck
{
    /// <summary>
    /// float32 outputs on the CPU: ONNX Runtime's kernels differ between instruction sets (AVX2, AVX-512, NEON) and
    /// between fused and unfused graphs only in the last few bits, far inside this bound.
    /// </summary>
    public const double Float32Tolerance = 1e-4;

    /// <summary>
    /// float32 outputs on CUDA: cuBLAS and cuDNN may compute float32 products in TF32 (a 10-bit mantissa) on Ampere and
    /// later GPUs, so outputs legitimately move by about 1e-3 of their size.
    /// </summary>
    public const double CudaFloat32Tolerance = 1e-2;

    /// <summary>float64 outputs on any provider.</summary>
    public const double Float64Tolerance = 1e-9;

    /// <summary>
    /// INT8 models on any provider: the integer arithmetic is exact, but where an intermediate value is requantized
    /// providers may round it one step apart (CUDA runs QDQ as float kernels between Quantize and Dequantize; CPUs
    /// without VNNI saturate some 16-bit partial sums), and a step of an activation moves the outputs by about a tenth
    /// of a step of theirs. The graph digest, not this bound, is what catches a changed weight.
    /// </summary>
    public const double Int8Tolerance = 0.1;

    /// <summary>float16 models on any provider: a 10-bit mantissa, rounded differently by CPU casts and GPU kernels.</summary>
    public const double Float16Tolerance = 2e-2;

    /// <summary>
    /// Checks <paramref name="path"/>, loaded as <paramref name="session"/> on <paramref name="provider"/> (CPU or
    /// CUDA), against <paramref name="card"/>'s record. Never throws for a mismatch: the report says what differs.
    /// </summary>
    public static IntegrityReport Run(string path, InferenceSession session, ModelCard? card, ExecutionProvider provider)
    {
        if (card is null || !card.HasIntegrityRecord)
        {
            return IntegrityReport.NotRecorded;
        }
        var checks = new List<string>();
        if (card.GraphSha256 is { } recorded)
        {
            if (DigestOf(path) != recorded)
            {
                return Failed("the graph or weights differ from the digest recorded at export");
            }
            checks.Add($"graph digest {recorded[..12]}… matches");
        }
        if (card.Reference is { } reference)
        {
            var tolerance = ToleranceFor(card, provider);
            if (CompareReference(session, card, reference, tolerance) is { } difference)
            {
                return Failed(difference);
            }
            checks.Add($"{reference.Count} reference output{(reference.Count == 1 ? "" : "s")} within {Format(tolerance)} on {EnumText.Of(provider)}");
        }
        return new IntegrityReport { Status = IntegrityStatus.Verified, Detail = string.Join("; ", checks) };
    }

    /// <summary>The tolerance for <paramref name="card"/>'s model's outputs on <paramref name="provider"/>, relative to values above 1.</summary>
    public static double ToleranceFor(ModelCard card, ExecutionProvider provider) =>
        card.Quantization?.Format switch
        {
            QuantizationFormat.Int8Qdq or QuantizationFormat.Int8Dynamic => Int8Tolerance,
            QuantizationFormat.Float16 => Float16Tolerance,
            _ => card.ElementType == ElementType.Float64 ? Float64Tolerance
                : provider == ExecutionProvider.Cuda ? CudaFloat32Tolerance
                : Float32Tolerance,
        };

    private static IntegrityReport Failed(string detail) => new() { Status = IntegrityStatus.Failed, Detail = detail };

    private static string? DigestOf(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputFileException(path, $"cannot be read: {e.Message}", e);
        }
        try
        {
            return GraphDigest.OfModel(bytes);
        }
        catch (FormatException)
        {
            // ORT parsed the file a moment ago; a file that no longer parses has changed, which is what the digest is for.
            return null;
        }
    }

    /// <summary>Runs the reference inputs; null when the outputs match, else what differs.</summary>
    private static string? CompareReference(InferenceSession session, ModelCard card, ReferenceExamples reference, double tolerance)
    {
        var featureDims = card.InputShape.Skip(1).ToArray();
        if (featureDims.Any(d => d <= 0) || featureDims.Aggregate(1L, (a, b) => a * b) != reference.InputWidth)
        {
            return $"its {reference.Count} reference inputs do not fit the input shape [{string.Join(',', card.InputShape)}]";
        }
        long[] shape = [reference.Count, .. featureDims];
        using var runOptions = new RunOptions();
        using var input = card.ElementType switch
        {
            ElementType.Float64 => OrtValue.CreateTensorValueFromMemory(reference.Inputs.ToArray(), shape),
            // Pixels 0-255, recorded exactly as float32.
            ElementType.UInt8 => OrtValue.CreateTensorValueFromMemory(reference.Inputs.Select(v => (byte)v).ToArray(), shape),
            _ => OrtValue.CreateTensorValueFromMemory(reference.Inputs.Select(v => (float)v).ToArray(), shape),
        };
        IDisposableReadOnlyCollection<OrtValue> results;
        try
        {
            results = session.Run(runOptions, [card.InputName], [input], [reference.OutputName]);
        }
        catch (OnnxRuntimeException e)
        {
            return $"it does not run on the reference inputs recorded at export: {OrtErrorText.FirstLine(e)}";
        }
        using (results)
        {
            var output = results[0];
            var type = output.GetTensorTypeAndShape().ElementDataType;
            double[]? got = type switch
            {
                TensorElementType.Float => output.GetTensorDataAsSpan<float>().ToArray().Select(v => (double)v).ToArray(),
                TensorElementType.Double => output.GetTensorDataAsSpan<double>().ToArray(),
                _ => null,
            };
            if (got is null)
            {
                return $"its '{reference.OutputName}' output holds {type} values, not the {reference.ElementType} recorded at export";
            }
            var want = reference.Outputs;
            if (got.Length != want.Count)
            {
                return $"its '{reference.OutputName}' output has {got.Length} values for the {reference.Count} reference inputs where {want.Count} were recorded at export";
            }
            double worstDiff = 0, worstExcess = 0;
            for (var i = 0; i < got.Length; i++)
            {
                var diff = Difference(got[i], want[i]);
                // Absolute below 1, relative above: logits of 20 and probabilities of 1e-6 are both judged fairly.
                var excess = diff / Math.Max(1, Math.Abs(want[i]));
                if (double.IsNaN(excess))
                {
                    // NaN where a number was recorded, or the reverse: no tolerance covers it.
                    (worstDiff, worstExcess) = (double.NaN, double.NaN);
                    break;
                }
                if (excess > worstExcess)
                {
                    (worstDiff, worstExcess) = (diff, excess);
                }
            }
            if (!(worstExcess <= tolerance))
            {
                return $"its '{reference.OutputName}' outputs on the {reference.Count} reference inputs recorded at export differ by up to " +
                    $"{Format(worstDiff)}, beyond the tolerance of {Format(tolerance)}";
            }
            return null;
        }
    }

    private static double Difference(double got, double want) =>
        double.IsNaN(got) && double.IsNaN(want) ? 0
        : got == want ? 0 // equal infinities
        : Math.Abs(got - want); // NaN against a number stays NaN, which fails the check

    private static string Format(double v) => double.IsNaN(v) ? "NaN" : v.ToString("G3", CultureInfo.InvariantCulture);
}
