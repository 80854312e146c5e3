using System.Text.Json.Serialization;

namespace Toolchain.Inference.Cli.Output;

/// <summary>One compact JSON object as a single line of text, as the <c>--json</c> modes print one per input.</summary>
internal static class JsonLine
{
    /// <summary><paramref name="value"/>, one of the line records below, on one line.</summary>
    public static string Of<T>(T value) => CliJson.Serialize(value, CliJson.Readable);
}

/// <summary>A classified image: the winner, and the <c>--top-k</c> classes when asked for.</summary>
internal sealed record ClassifiedJson(string File, int Label, string Name, double Confidence, IReadOnlyList<ClassProbabilityJson>? TopK);

/// <summary>One of the <c>--top-k</c> classes.</summary>
internal sealed record ClassProbabilityJson(int Label, string Name, double Probability);

/// <summary>A predicted row of features: P(class 1) for a binary model, else the winner's probability.</summary>
internal sealed record PredictedJson(int Line, double Probability, int Class, string Name);

/// <summary>An input that produced no result: a file (classify) or a row's line number (predict), and why.</summary>
internal sealed record InputErrorJson(string? File, int? Line, string Error);

/// <summary>
/// <c>info --json</c>: the graph, the integrity check, the card keyed by its own fields (every key, null when unset; the
/// whole card null for a foreign model) and the execution providers keyed by their <c>--provider</c> names.
/// </summary>
internal sealed record InfoJson(
    string File,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    long Opset,
    string Producer,
    string DocString,
    IntegrityJson Integrity,
    // Written as null for a foreign model, so a reader can tell "no card" from an old output.
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] Dictionary<string, string?>? Card,
    Dictionary<string, ProviderJson> Providers);

/// <summary>The integrity check's verdict and what it compared.</summary>
internal sealed record IntegrityJson(string Status, string Detail);

/// <summary>Whether an execution provider works here, and why not or what it is.</summary>
internal sealed record ProviderJson(bool Works, string Detail);
