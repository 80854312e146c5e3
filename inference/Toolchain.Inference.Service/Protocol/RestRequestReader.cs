using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Toolchain.Inference.Service.Protocol;

/// <summary>
/// Reads an inference request of the REST form: a JSON object, optionally followed by binary tensor data (Triton's
/// binary tensor data extension: <c>Inference-Header-Content-Length</c> gives the JSON's length, each binary input
/// says its <c>binary_data_size</c>, and their bytes follow in the order of the inputs).
/// </summary>
internal static class RestRequestReader
{
    public const string HeaderLengthHeader = "Inference-Header-Content-Length";

    /// <summary>Parses <paramref name="body"/>; <paramref name="headerLength"/> is the header's value, if sent.</summary>
    public static InferRequest Parse(ReadOnlyMemory<byte> body, string? headerLength)
    {
        var jsonLength = body.Length;
        if (headerLength is not null)
        {
            if (!int.TryParse(headerLength, NumberStyles.None, CultureInfo.InvariantCulture, out jsonLength) || jsonLength < 1)
            {
                throw ProtocolException.BadRequest($"{HeaderLengthHeader} must be a positive whole number (got '{Shorten(headerLength)}')");
            }
            if (jsonLength > body.Length)
            {
                throw ProtocolException.BadRequest(
                    $"{HeaderLengthHeader} says the JSON header is {jsonLength} bytes but the body has only {body.Length}");
            }
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body[..jsonLength], new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw ProtocolException.BadRequest($"the request is not valid JSON: {e.Message}");
        }
        using (document)
        {
            return Read(document.RootElement, body[jsonLength..]);
        }
    }

    private static InferRequest Read(JsonElement root, ReadOnlyMemory<byte> binary)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw ProtocolException.BadRequest($"the request must be a JSON object, not {Kind(root)}");
        }
        string? id = null;
        if (root.TryGetProperty("id", out var idElement) && idElement.ValueKind != JsonValueKind.Null)
        {
            id = idElement.ValueKind == JsonValueKind.String ? idElement.GetString()
                : throw ProtocolException.BadRequest($"'id' must be a string, not {Kind(idElement)}");
        }
        var binaryOutputs = false;
        if (Present(root, "parameters", out var parameters))
        {
            RequireObject(parameters, "the request's 'parameters'");
            binaryOutputs = Bool(parameters, "binary_data_output", "the request's parameters") ?? false;
        }
        if (!root.TryGetProperty("inputs", out var inputsElement) || inputsElement.ValueKind != JsonValueKind.Array)
        {
            throw ProtocolException.BadRequest("the request needs an 'inputs' array");
        }
        var inputs = new List<InferInput>();
        var offset = 0;
        foreach (var element in inputsElement.EnumerateArray())
        {
            inputs.Add(ReadInput(element, binary, ref offset));
        }
        if (offset != binary.Length)
        {
            throw ProtocolException.BadRequest($"{binary.Length - offset} bytes of binary data follow the inputs that no input's binary_data_size accounts for");
        }
        var outputs = new List<RequestedOutput>();
        if (root.TryGetProperty("outputs", out var outputsElement) && outputsElement.ValueKind != JsonValueKind.Null)
        {
            if (outputsElement.ValueKind != JsonValueKind.Array)
            {
                throw ProtocolException.BadRequest($"'outputs' must be an array, not {Kind(outputsElement)}");
            }
            foreach (var element in outputsElement.EnumerateArray())
            {
                outputs.Add(ReadOutput(element));
            }
        }
        return new InferRequest { Id = id, Inputs = inputs, Outputs = outputs, BinaryOutputs = binaryOutputs };
    }

    private static InferInput ReadInput(JsonElement element, ReadOnlyMemory<byte> binary, ref int offset)
    {
        RequireObject(element, "each input");
        var name = String(element, "name", "an input");
        var what = $"input '{name}'";
        var datatype = String(element, "datatype", what);
        var type = InferenceRunner.ElementTypeOf(name, datatype);
        if (!element.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw ProtocolException.BadRequest($"{what} needs a 'shape' array");
        }
        var shape = new long[shapeElement.GetArrayLength()];
        var i = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out var value) || value < 0)
            {
                throw ProtocolException.BadRequest($"{what}: shape [{Shorten(shapeElement.GetRawText())}] must hold non-negative whole numbers");
            }
            shape[i++] = value;
        }
        long? binarySize = null;
        if (Present(element, "parameters", out var parameters))
        {
            RequireObject(parameters, $"{what}'s 'parameters'");
            if (Present(parameters, "binary_data_size", out var size))
            {
                binarySize = size.ValueKind == JsonValueKind.Number && size.TryGetInt64(out var n) && n >= 0 ? n
                    : throw ProtocolException.BadRequest($"{what}: binary_data_size must be a non-negative whole number");
            }
        }
        var hasData = Present(element, "data", out var data);
        if (binarySize is { } bytes)
        {
            if (hasData)
            {
                throw ProtocolException.BadRequest($"{what} has both 'data' and binary_data_size; send one");
            }
            if (bytes > binary.Length - offset)
            {
                throw ProtocolException.BadRequest(
                    $"{what}: binary_data_size {bytes} runs past the end of the body ({binary.Length - offset} bytes of binary data left)");
            }
            var elementSize = Toolchain.Inference.Runtime.TensorSpec.SizeOf(type);
            if (bytes % elementSize != 0)
            {
                throw ProtocolException.BadRequest($"{what}: binary_data_size {bytes} is not a whole number of {datatype} elements ({elementSize} bytes each)");
            }
            var slice = binary.Slice(offset, (int)bytes);
            offset += (int)bytes;
            return new InferInput(name, datatype, shape, slice, bytes / elementSize);
        }
        if (!hasData)
        {
            throw ProtocolException.BadRequest($"{what} has no 'data' (and no binary_data_size)");
        }
        if (data.ValueKind != JsonValueKind.Array)
        {
            throw ProtocolException.BadRequest($"{what}: 'data' must be an array, not {Kind(data)}");
        }
        var (values, count) = TensorBytes.FromJson(data, type, name);
        return new InferInput(name, datatype, shape, values, count);
    }

    private static RequestedOutput ReadOutput(JsonElement element)
    {
        RequireObject(element, "each requested output");
        var name = String(element, "name", "a requested output");
        bool? binaryData = null;
        int? classification = null;
        if (Present(element, "parameters", out var parameters))
        {
            var what = $"output '{name}'";
            RequireObject(parameters, $"{what}'s 'parameters'");
            binaryData = Bool(parameters, "binary_data", what);
            if (Present(parameters, "classification", out var k))
            {
                classification = k.ValueKind == JsonValueKind.Number && k.TryGetInt32(out var n) ? n
                    : throw ProtocolException.BadRequest($"{what}: classification must be a whole number of classes");
            }
        }
        return new RequestedOutput(name, binaryData, classification);
    }

    private static string String(JsonElement element, string property, string what) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw ProtocolException.BadRequest($"{what} needs a '{property}' string");

    private static bool? Bool(JsonElement parameters, string property, string what) =>
        !Present(parameters, property, out var value) ? null
        : value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw ProtocolException.BadRequest($"{what}: {property} must be true or false"),
        };

    /// <summary>Whether <paramref name="property"/> is given; JSON null counts as not given, as some clients write absent fields so.</summary>
    private static bool Present(JsonElement element, string property, out JsonElement value) =>
        element.TryGetProperty(property, out value) && value.ValueKind != JsonValueKind.Null;

    private static void RequireObject(JsonElement element, string what)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw ProtocolException.BadRequest($"{what} must be a JSON object, not {Kind(element)}");
        }
    }

    private static string Kind(JsonElement element) => element.ValueKind.ToString().ToLowerInvariant();

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "..." : text;
}
