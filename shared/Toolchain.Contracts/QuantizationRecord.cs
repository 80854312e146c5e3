using System.Text.Json;

namespace Toolchain.Contracts;

/// <summary>
/// What a quantized model's card says about how it was made from its float32 model and what that cost: the format,
/// the calibration, the nodes left in float32, and accuracy and speed before and after, measured on the machine named.
/// Stored as one JSON object under <see cref="ModelCardKeys.Quantization"/>.
/// </summary>
public sealed record QuantizationRecord
{
    /// <summary>How the weights and arithmetic were narrowed.</summary>
    public required QuantizationFormat Format { get; init; }

    /// <summary>
    /// The static INT8 activations' type, "uint8" (U8S8, what ONNX Runtime's x86 kernels take) or "int8" (S8S8), or
    /// empty when activations are not stored quantized (dynamic INT8, float16).
    /// </summary>
    public string Activations { get; init; } = "";

    /// <summary>How activation ranges were chosen, or null when nothing was calibrated (dynamic INT8, float16).</summary>
    public CalibrationMethod? Calibration { get; init; }

    /// <summary>The data calibration ran on (a dataset name or folder), or empty.</summary>
    public string CalibrationSet { get; init; } = "";

    /// <summary>Examples calibration ran on (0 when nothing was calibrated).</summary>
    public int CalibrationSamples { get; init; }

    /// <summary>Nodes of the kinds quantized (Conv, Gemm, MatMul) that were kept in float32, by name.</summary>
    public IReadOnlyList<string> ExcludedNodes { get; init; } = [];

    /// <summary>Operator types the quantizer does not narrow and left in float32 (e.g. Softmax, Sigmoid), sorted.</summary>
    public IReadOnlyList<string> FloatOperators { get; init; } = [];

    /// <summary>The graph digest of the float32 model this one was made from, or null when it recorded none.</summary>
    public string? SourceGraphSha256 { get; init; }

    /// <summary>Accuracy in [0,1] of the float32 model on <see cref="EvaluatedOn"/>, or null when not measured.</summary>
    public double? AccuracyBefore { get; init; }

    /// <summary>Accuracy in [0,1] of this model on <see cref="EvaluatedOn"/>, or null when not measured.</summary>
    public double? AccuracyAfter { get; init; }

    /// <summary>The test data both accuracies were measured on, e.g. "mnist-sample (1000 test examples)", or empty.</summary>
    public string EvaluatedOn { get; init; } = "";

    /// <summary>The batch size both speeds were measured at (0 when not measured).</summary>
    public int SpeedBatchSize { get; init; }

    /// <summary>Examples per second of the float32 model at <see cref="SpeedBatchSize"/>, median of interleaved rounds.</summary>
    public double? ImagesPerSecondBefore { get; init; }

    /// <summary>Examples per second of this model at <see cref="SpeedBatchSize"/>, median of interleaved rounds.</summary>
    public double? ImagesPerSecondAfter { get; init; }

    /// <summary>The machine that measured the speeds: CPU model, its INT8 instruction flags, threads.</summary>
    public string MeasuredOn { get; init; } = "";

    /// <summary>Serialises to the card's JSON text.</summary>
    public string ToJson() => JsonSerializer.Serialize(
        new QuantizationRecordJson(EnumText.Of(Format), Activations.Length > 0 ? Activations : null, Calibration is { } c ? EnumText.Of(c) : null, CalibrationSet, CalibrationSamples,
            [.. ExcludedNodes], [.. FloatOperators], SourceGraphSha256, AccuracyBefore, AccuracyAfter, EvaluatedOn, SpeedBatchSize,
            ImagesPerSecondBefore, ImagesPerSecondAfter, MeasuredOn),
        CardJsonContext.Default.QuantizationRecordJson);

    /// <summary>Parses the card's JSON text; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static QuantizationRecord Parse(string json)
    {
        QuantizationRecordJson? raw;
        try
        {
            raw = JsonSerializer.Deserialize(json, CardJsonContext.Default.QuantizationRecordJson);
        }
        catch (JsonException)
        {
            throw new FormatException("is not a valid JSON object");
        }
        if (raw is null)
        {
            throw new FormatException("is null");
        }
        var format = EnumText.Parse<QuantizationFormat>(raw.Format)
            ?? throw new FormatException($"format must be {EnumText.Choices<QuantizationFormat>()}, not '{raw.Format}'");
        CalibrationMethod? calibration = raw.Calibration is null ? null
            : EnumText.Parse<CalibrationMethod>(raw.Calibration)
                ?? throw new FormatException($"calibration must be {EnumText.Choices<CalibrationMethod>()}, not '{raw.Calibration}'");
        if (raw.Activations is not (null or "uint8" or "int8"))
        {
            throw new FormatException($"activations must be uint8 or int8, not '{raw.Activations}'");
        }
        if (raw.CalibrationSamples < 0 || raw.SpeedBatchSize < 0)
        {
            throw new FormatException("has a negative sample count or batch size");
        }
        if (new[] { raw.AccuracyBefore, raw.AccuracyAfter }.Any(a => a is { } v && !(v is >= 0 and <= 1)))
        {
            throw new FormatException("has an accuracy outside [0,1]");
        }
        return new QuantizationRecord
        {
            Format = format,
            Activations = raw.Activations ?? "",
            Calibration = calibration,
            CalibrationSet = raw.CalibrationSet ?? "",
            CalibrationSamples = raw.CalibrationSamples,
            ExcludedNodes = raw.ExcludedNodes ?? [],
            FloatOperators = raw.FloatOperators ?? [],
            SourceGraphSha256 = raw.SourceGraphSha256,
            AccuracyBefore = raw.AccuracyBefore,
            AccuracyAfter = raw.AccuracyAfter,
            EvaluatedOn = raw.EvaluatedOn ?? "",
            SpeedBatchSize = raw.SpeedBatchSize,
            ImagesPerSecondBefore = raw.ImagesPerSecondBefore,
            ImagesPerSecondAfter = raw.ImagesPerSecondAfter,
            MeasuredOn = raw.MeasuredOn ?? "",
        };
    }

    /// <summary>Value equality that compares the lists by content, as the card's own record equality cannot.</summary>
    public bool Equals(QuantizationRecord? other) => other is not null && ToJson() == other.ToJson();

    /// <inheritdoc />
    public override int GetHashCode() => ToJson().GetHashCode(StringComparison.Ordinal);
}
