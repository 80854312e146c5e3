using Toolchain.Contracts;
using Toolchain.Inference.Quantization.Calibration;

namespace Toolchain.Inference.Quantization;

/// <summary>How <see cref="ModelQuantizer"/> quantizes a model and what it must prove before writing it.</summary>
public sealed record QuantizationOptions
{
    /// <summary>Static INT8 QDQ (default), dynamic INT8 or float16.</summary>
    public QuantizationFormat Format { get; init; } = QuantizationFormat.Int8Qdq;

    /// <summary>How static INT8 chooses activation ranges from the calibration examples.</summary>
    public CalibrationMethod Method { get; init; } = CalibrationMethod.MinMax;

    /// <summary>
    /// Whether static INT8 writes activations as unsigned 8-bit (U8S8, the default) or signed (S8S8). ONNX Runtime's
    /// x86 kernels take unsigned activations: it converts a signed QuantizeLinear/DequantizeLinear pair only where the
    /// QuantizeLinear feeds one DequantizeLinear, so in a residual network, whose block outputs feed two readers, a
    /// signed graph leaves convolutions and additions in float32. Signed is for runtimes that want S8S8 (TensorRT, NPUs).
    /// </summary>
    public bool SignedActivations { get; init; }

    /// <summary>The examples static INT8 calibrates on; also the inputs the speeds are measured on when given.</summary>
    public CalibrationData? Calibration { get; init; }

    /// <summary>
    /// Nodes to keep in float32, by name; null to choose: the model is quantized whole and with its first Conv and its
    /// last quantizable layer kept in float32, both are evaluated, and the second wins only if it is more accurate.
    /// </summary>
    public IReadOnlyList<string>? Exclude { get; init; }

    /// <summary>The most accuracy, in percentage points, the quantized model may lose on the test data (default 1.0).</summary>
    public double MaxDrop { get; init; } = 1.0;

    /// <summary>Intra-op threads for calibration and timing (0: ONNX Runtime decides).</summary>
    public int Threads { get; init; }

    /// <summary>Batch sizes both models are timed at; the card records the last one.</summary>
    public IReadOnlyList<int> SpeedBatchSizes { get; init; } = [1, 64];

    /// <summary>Interleaved timing rounds per batch size.</summary>
    public int SpeedRounds { get; init; } = 3;

    /// <summary>Seconds each model runs per round.</summary>
    public double SecondsPerRound { get; init; } = 0.5;

    /// <summary>Called with a line as each step starts (calibrating, evaluating, timing), or null.</summary>
    public Action<string>? Progress { get; init; }
}

/// <summary>The accuracy of a model file on test data.</summary>
/// <param name="Accuracy">Share of test examples classified correctly, in [0,1].</param>
/// <param name="Count">Test examples.</param>
/// <param name="Dataset">What they were, e.g. "mnist-sample".</param>
/// <param name="OnCardTestSet">Whether they are the card's own test set (the one its recorded test accuracy is on).</param>
public sealed record ModelEvaluation(double Accuracy, long Count, string Dataset, bool OnCardTestSet);
