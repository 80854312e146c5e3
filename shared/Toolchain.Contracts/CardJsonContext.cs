using System.Text.Json.Serialization;

namespace Toolchain.Contracts;

/// <summary>
/// The JSON values inside a model card (labels, input shape, hyperparameters, the reference examples), serialized by
/// source-generated code rather than reflection or a hand-written writer.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(IReadOnlyList<long>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(long[]))]
[JsonSerializable(typeof(double[]))]
[JsonSerializable(typeof(IReadOnlyList<double>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(ReferenceExamplesJson))]
[JsonSerializable(typeof(QuantizationRecordJson))]
internal sealed partial class CardJsonContext : JsonSerializerContext;

/// <summary>How <see cref="ReferenceExamples"/> is stored: the values as base64 of little-endian floats.</summary>
internal sealed record ReferenceExamplesJson(string Output, string ElementType, int Count, string Inputs, string Outputs);

/// <summary>How <see cref="QuantizationRecord"/> is stored; enums as their card text, absent numbers as null.</summary>
internal sealed record QuantizationRecordJson(string Format, string? Activations, string? Calibration, string? CalibrationSet, int CalibrationSamples,
    string[]? ExcludedNodes, string[]? FloatOperators, string? SourceGraphSha256, double? AccuracyBefore, double? AccuracyAfter,
    string? EvaluatedOn, int SpeedBatchSize, double? ImagesPerSecondBefore, double? ImagesPerSecondAfter, string? MeasuredOn);
