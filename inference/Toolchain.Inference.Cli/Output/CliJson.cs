using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Toolchain.Inference.Cli.Benchmarking;
using Toolchain.Inference.Cli.Evaluation;

namespace Toolchain.Inference.Cli.Output;

/// <summary>
/// The JSON infer writes (report.json and <c>eval --json</c>, infer-bench.json, the lines of <c>classify --json</c> and
/// <c>predict --json</c>, <c>info --json</c>), serialized from record types by source-generated code: names in snake_case, and a null
/// field left out unless its type says otherwise.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EvalReportJson))]
[JsonSerializable(typeof(RegressionReportJson))]
[JsonSerializable(typeof(BenchReportJson))]
[JsonSerializable(typeof(ClassifiedJson))]
[JsonSerializable(typeof(PredictedJson))]
[JsonSerializable(typeof(Toolchain.Inference.Cli.Commands.PredictedRowJson))]
[JsonSerializable(typeof(Toolchain.Inference.Cli.Commands.PredictedValueJson))]
[JsonSerializable(typeof(InputErrorJson))]
[JsonSerializable(typeof(InfoJson))]
[JsonSerializable(typeof(CompareJson))]
// The types of the values in the reports' name-to-value sections (classification_report, pytorch_reference), which are
// Dictionary<string, object> so that their keys, some of them data (class names), keep their order.
[JsonSerializable(typeof(ScoresJson))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(string))]
internal sealed partial class CliJsonContext : JsonSerializerContext;

/// <summary>The serializer settings of infer's JSON, over <see cref="CliJsonContext"/>.</summary>
internal static class CliJson
{
    /// <summary>
    /// Escaping as a person reads it: non-ASCII class names and paths stay as they are. report.json and the JSON lines
    /// have always been written this way; infer-bench.json keeps the default, HTML-safe escaping it has always had.
    /// </summary>
    public static readonly JsonSerializerOptions Readable = new(CliJsonContext.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary><see cref="Readable"/>, indented.</summary>
    public static readonly JsonSerializerOptions ReadableIndented = new(Readable) { WriteIndented = true };

    /// <summary>Default (HTML-safe) escaping, indented.</summary>
    public static readonly JsonSerializerOptions Indented = new(CliJsonContext.Default.Options) { WriteIndented = true };

    /// <summary><paramref name="value"/> as JSON text with <paramref name="options"/>, one of the above.</summary>
    public static string Serialize<T>(T value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(value, (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)));
}
