using System.Text;
using System.Text.Json;

namespace Toolchain.Inference.Cli.Output;

/// <summary>One compact JSON object as a single line of text, as the <c>--json</c> modes print one per input.</summary>
internal static class JsonLine
{
    /// <summary><paramref name="value"/>, one of the line records below, on one line.</summary>
    public static string Of<T>(T value) => CliJson.Serialize(value, CliJson.Readable);

    /// <summary>An object written field by field, for <c>info --json</c>, whose card section is keyed by the card's own fields.</summary>
    public static string Of(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = CliJson.Readable.Encoder }))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }
}

/// <summary>A classified image: the winner, and the <c>--top-k</c> classes when asked for.</summary>
internal sealed record ClassifiedJson(string File, int Label, string Name, double Confidence, IReadOnlyList<ClassProbabilityJson>? TopK);

/// <summary>One of the <c>--top-k</c> classes.</summary>
internal sealed record ClassProbabilityJson(int Label, string Name, double Probability);

/// <summary>A predicted row of features: P(class 1) for a binary model, else the winner's probability.</summary>
internal sealed record PredictedJson(int Line, double Probability, int Class, string Name);

/// <summary>An input that produced no result: a file (classify) or a row's line number (predict), and why.</summary>
internal sealed record InputErrorJson(string? File, int? Line, string Error);
