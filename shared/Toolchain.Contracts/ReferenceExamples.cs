using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;

namespace Toolchain.Contracts;

/// <summary>
/// A few model-ready inputs and the outputs ONNX Runtime gave for them at export, recorded in the model card so that a
/// loader can check that the file, run by its own runtime and provider, still computes what was verified.
/// Stored as <c>{"output","element_type","count","inputs","outputs"}</c> with the values as base64 of little-endian
/// float32 or float64: exact, and about a third the size of decimal text.
/// </summary>
public sealed record ReferenceExamples
{
    /// <summary>Most examples a card records.</summary>
    public const int MaxCount = 4;

    /// <summary>
    /// Budget for the recorded inputs' bytes: four MNIST images (12.5 KB) fit; a model with large inputs records fewer
    /// examples (at least one) rather than bloating every copy of its card.
    /// </summary>
    public const int MaxInputBytes = 64 * 1024;

    /// <summary>
    /// How many examples of <paramref name="featureCount"/> values a card records for a graph taking
    /// <paramref name="elementType"/> (stored as float64 for float64 graphs, else float32): as many as fit
    /// <see cref="MaxInputBytes"/>, at least one and at most <see cref="MaxCount"/>.
    /// </summary>
    public static int CountFor(long featureCount, ElementType elementType) =>
        (int)Math.Clamp(MaxInputBytes / (Math.Max(1, featureCount) * (elementType == ElementType.Float64 ? sizeof(double) : sizeof(float))), 1, MaxCount);

    /// <summary>The graph output the <see cref="Outputs"/> were read from.</summary>
    public required string OutputName { get; init; }

    /// <summary>The element type of the inputs and outputs, and of their stored encoding.</summary>
    public required ElementType ElementType { get; init; }

    /// <summary>Number of examples.</summary>
    public required int Count { get; init; }

    /// <summary>The <see cref="Count"/> inputs back to back, model-ready (normalised).</summary>
    public required IReadOnlyList<double> Inputs { get; init; }

    /// <summary>The <see cref="Count"/> outputs back to back, as ONNX Runtime computed them at export.</summary>
    public required IReadOnlyList<double> Outputs { get; init; }

    /// <summary>Values per input example.</summary>
    public int InputWidth => Count > 0 ? Inputs.Count / Count : 0;

    /// <summary>Values per output example.</summary>
    public int OutputWidth => Count > 0 ? Outputs.Count / Count : 0;

    /// <summary>A short description for <c>infer info</c>, instead of the kilobytes of base64.</summary>
    public string Describe() =>
        $"{Count} inputs of {InputWidth} {EnumText.Of(ElementType)} values and their '{OutputName}' outputs ({OutputWidth} each)";

    /// <summary>Serialises to the card's JSON text.</summary>
    public string ToJson() => JsonSerializer.Serialize(
        new ReferenceExamplesJson(OutputName, EnumText.Of(ElementType), Count, Encode(Inputs, ElementType), Encode(Outputs, ElementType)),
        CardJsonContext.Default.ReferenceExamplesJson);

    /// <summary>Parses the card's JSON text; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static ReferenceExamples Parse(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("is not a JSON object");
            }
            string Text(string name) =>
                root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s
                    ? s
                    : throw new FormatException($"has no '{name}' text");
            var typeText = Text("element_type");
            var type = EnumText.Parse<ElementType>(typeText)
                ?? throw new FormatException($"element_type must be {EnumText.Choices<ElementType>()}, not '{typeText}'");
            if (!root.TryGetProperty("count", out var c) || c.ValueKind != JsonValueKind.Number || !c.TryGetInt32(out var count) || count < 1)
            {
                throw new FormatException("has no positive 'count'");
            }
            var inputs = Decode(Text("inputs"), type, "inputs");
            var outputs = Decode(Text("outputs"), type, "outputs");
            if (inputs.Length == 0 || inputs.Length % count != 0 || outputs.Length == 0 || outputs.Length % count != 0)
            {
                throw new FormatException(
                    $"holds {inputs.Length} input and {outputs.Length} output values, which do not divide into {count} examples");
            }
            return new ReferenceExamples { OutputName = Text("output"), ElementType = type, Count = count, Inputs = inputs, Outputs = outputs };
        }
        catch (JsonException)
        {
            throw new FormatException("is not valid JSON");
        }
    }

    private static string Encode(IReadOnlyList<double> values, ElementType type)
    {
        var size = type == ElementType.Float64 ? sizeof(double) : sizeof(float);
        var bytes = new byte[values.Count * size];
        for (var i = 0; i < values.Count; i++)
        {
            if (size == sizeof(double))
            {
                BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * size), values[i]);
            }
            else
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * size), (float)values[i]);
            }
        }
        return Convert.ToBase64String(bytes);
    }

    private static double[] Decode(string base64, ElementType type, string name)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new FormatException($"'{name}' is not base64");
        }
        var size = type == ElementType.Float64 ? sizeof(double) : sizeof(float);
        if (bytes.Length % size != 0)
        {
            throw new FormatException(
                $"'{name}' holds {bytes.Length.ToString(CultureInfo.InvariantCulture)} bytes, not a whole number of {EnumText.Of(type)} values");
        }
        var values = new double[bytes.Length / size];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = size == sizeof(double)
                ? BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(i * size))
                : BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * size));
        }
        return values;
    }
}
