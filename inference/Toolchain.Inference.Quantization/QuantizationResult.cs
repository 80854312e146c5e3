using Toolchain.Contracts;
using Toolchain.Inference.Quantization.Measuring;

namespace Toolchain.Inference.Quantization;

/// <summary>One way of quantizing that was tried and evaluated.</summary>
/// <param name="Excluded">The nodes it kept in float32.</param>
/// <param name="Accuracy">Its accuracy on the test data.</param>
public sealed record QuantizationVariant(IReadOnlyList<string> Excluded, double Accuracy);

/// <summary>What <see cref="ModelQuantizer.Quantize"/> wrote and measured.</summary>
public sealed record QuantizationResult
{
    /// <summary>The quantized file written.</summary>
    public required string OutputPath { get; init; }

    /// <summary>Its card, as written.</summary>
    public required ModelCard Card { get; init; }

    /// <summary>The float32 model on the test data.</summary>
    public required ModelEvaluation Before { get; init; }

    /// <summary>The quantized model on the same test data.</summary>
    public required ModelEvaluation After { get; init; }

    /// <summary>Accuracy lost, in percentage points (negative when the quantized model is more accurate).</summary>
    public double DropPoints => (Before.Accuracy - After.Accuracy) * 100;

    /// <summary>The variants evaluated, the chosen one included.</summary>
    public required IReadOnlyList<QuantizationVariant> Variants { get; init; }

    /// <summary>The nodes quantized, by name.</summary>
    public required IReadOnlyList<string> QuantizedNodes { get; init; }

    /// <summary>Both models timed in interleaved rounds, per batch size.</summary>
    public required IReadOnlyList<BatchComparison> Speeds { get; init; }

    /// <summary>How the two models' answers compare on the calibration (or reference) examples.</summary>
    public required Agreement Agreement { get; init; }

    /// <summary>The CPU that timed them.</summary>
    public required CpuFeatures Cpu { get; init; }

    /// <summary>Size of the float32 file in bytes.</summary>
    public required long FloatBytes { get; init; }

    /// <summary>Size of the quantized file in bytes.</summary>
    public required long QuantizedBytes { get; init; }
}

/// <summary>A quantized model refused by the accuracy gate; nothing was written.</summary>
public sealed class AccuracyDropException(string message) : ToolchainException(message);
