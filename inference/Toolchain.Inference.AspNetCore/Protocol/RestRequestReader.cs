using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Toolchain.Inference.AspNetCore.Protocol;

/// <summary>
/// Reads an inference request of the REST form: a JSON object, optionally followed by binary tensor data (Triton's
/// binary tensor data extension: <c>Inference-Header-Content-Length</c> gives the JSON's length, each binary input
/// says its <c>binary_data_size</c>, and their bytes follow in the order of the inputs).
/// </summary>
/// <remarks>
/// The body is read as it arrives (<see cref="JsonPipeReader"/>), never whole: tensor data is decoded as its tokens
/// come and counted against the input's declared shape and the model's <see cref="RequestCapacity"/>, stopping at the
/// first excess, and binary data is read into one array only once its declared sizes fit the model. A refused request
/// costs what was read before the refusal. Every string read must be UTF-8 without lone surrogate escapes, and a
/// request refused before its end is drained, so the client sees the 400: never an exception out of the endpoint.
/// </remarks>
internal static class RestRequestReader
{
    public const string HeaderLengthHeader = "Inference-Header-Content-Length";

    /// <summary>The deepest nesting a request may have (the root object is depth 1).</summary>
    public const int MaxDepth = 64;

    /// <summary>The most inputs, and the most requested outputs, one request may name.</summary>
    public const int MaxTensors = 64;

    /// <summary>The most dimensions a declared shape may have.</summary>
    public const int MaxRank = 32;

    /// <summary>The longest string a request may hold where a name or data type goes (in bytes as sent).</summary>
    private const int MaxNameBytes = 4096;

    private static readonly JsonReaderOptions Options = new() { MaxDepth = MaxDepth };

    /// <summary>
    /// Reads the request from <paramref name="body"/>; <paramref name="headerLength"/> is the header's value, if sent,
    /// and <paramref name="bodyLength"/> the body's length when known. Refusals are <see cref="ProtocolException"/>s
    /// (and 413s from the body limit); the body is not drained here.
    /// </summary>
    public static async Task<InferRequest> ReadAsync(PipeReader body, string? headerLength, long? bodyLength, RequestCapacity capacity,
        CancellationToken cancellationToken)
    {
        long? jsonLength = null;
        if (headerLength is not null)
        {
            if (!int.TryParse(headerLength, NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length < 1)
            {
                throw ProtocolException.BadRequest($"{HeaderLengthHeader} must be a positive whole number (got '{Shorten(headerLength)}')");
            }
            if (length > bodyLength)
            {
                throw ProtocolException.BadRequest($"{HeaderLengthHeader} says the JSON header is {length} bytes but the body has only {bodyLength}");
            }
            jsonLength = length;
        }
        var json = new JsonPipeReader(body, jsonLength, Options);
        try
        {
            var parser = new Parser(json, capacity, cancellationToken);
            var request = await parser.ReadRootAsync();
            if (!await json.AtEndAsync(cancellationToken))
            {
                throw ProtocolException.BadRequest("the request is not valid JSON: more follows the object");
            }
            // Without the header the body is all JSON: binary data has nowhere to come from.
            return jsonLength is { } header
                ? await parser.ReadBinaryAsync(request, bodyLength - header)
                : parser.RefuseBinary(request);
        }
        catch (JsonException e)
        {
            throw ProtocolException.BadRequest($"the request is not valid JSON: {e.Message}");
        }
        finally
        {
            json.Release();
        }
    }

    private static string Shorten(string text) => text.Length > 40 ? ClientText.Echo(text[..40]) + "..." : ClientText.Echo(text);

    /// <summary>
    /// One request's parse, token by token from the pipe; <c>data</c> arrays in bulk. Binary inputs are first noted
    /// (name, type, shape, size), then read once the JSON has ended.
    /// </summary>
    private sealed class Parser
    {
        private readonly JsonPipeReader _json;
        private readonly RequestCapacity _capacity;
        private readonly CancellationToken _cancellationToken;
        private readonly JsonPipeReader.Step _readToken;
        private readonly List<(int Index, string Name, TensorElementType Type, long Bytes)> _binary = [];
        private long _elementsLeft;

        // The token the last NextAsync read, and its value as far as the parser uses it.
        private JsonTokenType _token;
        private string _property = "";
        private string? _string;
        private string? _stringProblem;
        private readonly byte[] _number = new byte[64];
        private int _numberLength;

        public Parser(JsonPipeReader json, RequestCapacity capacity, CancellationToken cancellationToken)
        {
            _json = json;
            _capacity = capacity;
            _cancellationToken = cancellationToken;
            _elementsLeft = capacity.MaxElements;
            _readToken = ReadToken;
        }

        public async Task<InferRequest> ReadRootAsync()
        {
            await NextAsync();
            if (_token != JsonTokenType.StartObject)
            {
                throw ProtocolException.BadRequest($"the request must be a JSON object, not {Kind(_token)}");
            }
            string? id = null;
            var binaryOutputs = false;
            List<InferInput>? inputs = null;
            var outputs = new List<RequestedOutput>();
            var seen = new Seen();
            while (await NextPropertyAsync())
            {
                switch (_property)
                {
                    case "id":
                        seen.Once(0, "'id'");
                        await NextAsync();
                        if (_token == JsonTokenType.String)
                        {
                            id = Text("'id'");
                            if (id.Length > ClientText.MaxEcho)
                            {
                                // Echoed whole or not at all: a client must never get back an id that is not the one it sent.
                                throw ProtocolException.BadRequest($"'id' is {id.Length} characters long; at most {ClientText.MaxEcho} are echoed");
                            }
                        }
                        else if (_token != JsonTokenType.Null)
                        {
                            throw ProtocolException.BadRequest($"'id' must be a string, not {Kind(_token)}");
                        }
                        break;
                    case "parameters":
                        seen.Once(1, "the request's 'parameters'");
                        await NextAsync();
                        if (_token == JsonTokenType.Null)
                        {
                            break;
                        }
                        RequireObject("the request's 'parameters'");
                        while (await NextPropertyAsync())
                        {
                            if (_property == "binary_data_output")
                            {
                                await NextAsync();
                                binaryOutputs = Bool("binary_data_output", "the request's parameters") ?? false;
                            }
                            else
                            {
                                await SkipValueAsync();
                            }
                        }
                        break;
                    case "inputs":
                        seen.Once(2, "'inputs'");
                        await NextAsync();
                        if (_token == JsonTokenType.Null)
                        {
                            break;
                        }
                        if (_token != JsonTokenType.StartArray)
                        {
                            throw ProtocolException.BadRequest("the request needs an 'inputs' array");
                        }
                        inputs = [];
                        while (await NextAsync() is not JsonTokenType.EndArray)
                        {
                            if (inputs.Count == MaxTensors)
                            {
                                throw ProtocolException.BadRequest($"the request has more than {MaxTensors} inputs");
                            }
                            inputs.Add(await ReadInputAsync(inputs.Count));
                        }
                        break;
                    case "outputs":
                        seen.Once(3, "'outputs'");
                        await NextAsync();
                        if (_token == JsonTokenType.Null)
                        {
                            break;
                        }
                        if (_token != JsonTokenType.StartArray)
                        {
                            throw ProtocolException.BadRequest($"'outputs' must be an array, not {Kind(_token)}");
                        }
                        while (await NextAsync() is not JsonTokenType.EndArray)
                        {
                            if (outputs.Count == MaxTensors)
                            {
                                throw ProtocolException.BadRequest($"the request asks for more than {MaxTensors} outputs");
                            }
                            outputs.Add(await ReadOutputAsync());
                        }
                        break;
                    default:
                        await SkipValueAsync();
                        break;
                }
            }
            return inputs is null
                ? throw ProtocolException.BadRequest("the request needs an 'inputs' array")
                : new InferRequest { Id = id, Inputs = inputs, Outputs = outputs, BinaryOutputs = binaryOutputs };
        }

        /// <summary>The request as read when the body is all JSON: no input may declare binary data, except none.</summary>
        public InferRequest RefuseBinary(InferRequest request)
        {
            foreach (var input in _binary.Where(b => b.Bytes > 0))
            {
                throw RunsPast(input.Name, input.Bytes, 0);
            }
            return request;
        }

        /// <summary>
        /// Reads the binary data after the JSON into the inputs that declared it. <paramref name="bytesLeft"/> is how much
        /// follows the JSON when the body's length is known: sizes that run past it are refused before anything is read.
        /// </summary>
        public async Task<InferRequest> ReadBinaryAsync(InferRequest request, long? bytesLeft)
        {
            long expected = 0;
            foreach (var input in _binary)
            {
                if (bytesLeft is { } left && input.Bytes > left - expected)
                {
                    throw RunsPast(input.Name, input.Bytes, left - expected);
                }
                var size = Toolchain.Inference.Runtime.TensorSpec.SizeOf(input.Type);
                var elements = input.Bytes / size;
                if (elements > _elementsLeft)
                {
                    throw OverCapacity(input.Name, "binary data");
                }
                _elementsLeft -= elements;
                expected += input.Bytes;
            }
            var (bytes, total) = await _json.ReadBinaryAsync((int)expected, _cancellationToken);
            if (_binary.Count == 0 && total == 0)
            {
                return request;
            }
            var inputs = request.Inputs.ToArray();
            var offset = 0;
            foreach (var input in _binary)
            {
                if (input.Bytes > total - offset)
                {
                    throw RunsPast(input.Name, input.Bytes, total - offset);
                }
                inputs[input.Index] = inputs[input.Index] with { Data = bytes.AsMemory(offset, (int)input.Bytes) };
                offset += (int)input.Bytes;
            }
            if (total > expected)
            {
                throw ProtocolException.BadRequest($"{total - expected} bytes of binary data follow the inputs that no input's binary_data_size accounts for");
            }
            return request with { Inputs = inputs };
        }

        private static ProtocolException RunsPast(string name, long bytes, long left) => ProtocolException.BadRequest(
            $"input '{ClientText.Echo(name)}': binary_data_size {bytes} runs past the end of the body ({left} bytes of binary data left)");

        private ProtocolException OverCapacity(string? name, string what) => ProtocolException.BadRequest(
            $"{What(name)}: the request's {what} hold more than {_capacity.MaxElements} elements, the most model '{_capacity.Model}' takes ({_capacity.MaxRows} rows of {_capacity.RowElements})");

        private async Task<InferInput> ReadInputAsync(int index)
        {
            RequireObject("each input");
            string? name = null;
            string? datatype = null;
            long[]? shape = null;
            long? binarySize = null;
            var dataKind = JsonTokenType.None;
            (byte[] Bytes, long Count)? decoded = null;
            ReadOnlyMemory<byte>? deferred = null;
            var seen = new Seen();
            while (await NextPropertyAsync())
            {
                switch (_property)
                {
                    case "name":
                        seen.Once(0, "an input's 'name'");
                        await NextAsync();
                        name = _token == JsonTokenType.String ? Text("an input's 'name'")
                            : throw ProtocolException.BadRequest("an input needs a 'name' string");
                        break;
                    case "datatype":
                        seen.Once(1, $"{What(name)}'s 'datatype'");
                        await NextAsync();
                        datatype = _token == JsonTokenType.String ? Text($"{What(name)}'s 'datatype'")
                            : throw ProtocolException.BadRequest($"{What(name)} needs a 'datatype' string");
                        break;
                    case "shape":
                        seen.Once(2, $"{What(name)}'s 'shape'");
                        await NextAsync();
                        shape = await ReadShapeAsync(name);
                        break;
                    case "parameters":
                        seen.Once(3, $"{What(name)}'s 'parameters'");
                        await NextAsync();
                        if (_token == JsonTokenType.Null)
                        {
                            break;
                        }
                        RequireObject($"{What(name)}'s 'parameters'");
                        while (await NextPropertyAsync())
                        {
                            if (_property != "binary_data_size")
                            {
                                await SkipValueAsync();
                                continue;
                            }
                            await NextAsync();
                            if (_token != JsonTokenType.Null)
                            {
                                binarySize = _token == JsonTokenType.Number && Utf8Parser.TryParse(Number, out long n, out var used) && used == _numberLength && n >= 0
                                    ? n
                                    : throw ProtocolException.BadRequest($"{What(name)}: binary_data_size must be a non-negative whole number");
                            }
                        }
                        break;
                    case "data":
                        seen.Once(4, $"{What(name)}'s 'data'");
                        await NextAsync();
                        dataKind = _token;
                        if (dataKind is JsonTokenType.StartObject)
                        {
                            await SkipNestedAsync();
                        }
                        else if (dataKind is not JsonTokenType.StartArray)
                        {
                            // A scalar: refused below, once the input's name is known.
                        }
                        else if (name is not null && shape is not null && Datatype.Parse(datatype) is { } type)
                        {
                            // The usual order (name, datatype, shape, then data): decoded as it arrives, stopping at the first excess.
                            var data = NewData(name, type, shape);
                            await _json.RunAsync(data.Step, _cancellationToken);
                            decoded = data.Result;
                            _elementsLeft -= decoded.Value.Count;
                        }
                        else
                        {
                            // Data before what decoding it needs (a client that writes keys in alphabetical order): its
                            // bytes are kept, counted against the model as they come, and decoded once the input ends.
                            deferred = await CaptureDataAsync(name);
                        }
                        break;
                    default:
                        await SkipValueAsync();
                        break;
                }
            }
            if (name is null)
            {
                throw ProtocolException.BadRequest("an input needs a 'name' string");
            }
            var what = What(name);
            if (datatype is null)
            {
                throw ProtocolException.BadRequest($"{what} needs a 'datatype' string");
            }
            var elementType = InferenceRunner.ElementTypeOf(name, datatype);
            if (shape is null)
            {
                throw ProtocolException.BadRequest($"{what} needs a 'shape' array");
            }
            var hasData = dataKind is not (JsonTokenType.None or JsonTokenType.Null);
            if (binarySize is { } bytes)
            {
                if (hasData)
                {
                    throw ProtocolException.BadRequest($"{what} has both 'data' and binary_data_size; send one");
                }
                var elementSize = Toolchain.Inference.Runtime.TensorSpec.SizeOf(elementType);
                if (bytes % elementSize != 0)
                {
                    throw ProtocolException.BadRequest($"{what}: binary_data_size {bytes} is not a whole number of {datatype} elements ({elementSize} bytes each)");
                }
                _binary.Add((index, name, elementType, bytes));
                // Its bytes come after the JSON; ReadBinaryAsync fills them in.
                return new InferInput(name, datatype, shape, ReadOnlyMemory<byte>.Empty, bytes / elementSize);
            }
            if (!hasData)
            {
                throw ProtocolException.BadRequest($"{what} has no 'data' (and no binary_data_size)");
            }
            if (dataKind != JsonTokenType.StartArray)
            {
                throw ProtocolException.BadRequest($"{what}: 'data' must be an array, not {Kind(dataKind)}");
            }
            if (decoded is null)
            {
                var data = NewData(name, elementType, shape);
                var reader = new Utf8JsonReader(deferred!.Value.Span, isFinalBlock: true, new JsonReaderState(Options));
                reader.Read();
                data.Step(ref reader);
                decoded = data.Result;
                _elementsLeft -= decoded.Value.Count;
            }
            return new InferInput(name, datatype, shape, decoded.Value.Bytes, decoded.Value.Count);
        }

        /// <summary>
        /// A decoder for the input's data, counted against its shape and what is left of the request's element budget
        /// (and, since every element takes at least two bytes of JSON, the body limit).
        /// </summary>
        private JsonTensorData NewData(string name, TensorElementType type, long[] shape)
        {
            var declared = Elements(shape);
            var limit = Math.Min(Math.Min(declared, _elementsLeft), (BodyLimits.MaxBodyBytes / 2) + 1);
            return new JsonTensorData(type, name, limit, () => declared <= limit
                ? ProtocolException.BadRequest($"input '{ClientText.Echo(name)}' holds more than {declared} elements but its shape {ClientText.Shape(shape)} needs {declared}")
                : OverCapacity(name, "data"));
        }

        /// <summary>The bytes of a data array whose opening bracket was just read, its elements counted against the model.</summary>
        private async Task<ReadOnlyMemory<byte>> CaptureDataAsync(string? name)
        {
            var capture = new ArrayBufferWriter<byte>(256);
            capture.Write("["u8);
            long leaves = 0;
            var limit = _elementsLeft;
            await ReadNestedAsync((ref Utf8JsonReader _) =>
            {
                if (++leaves > limit)
                {
                    throw OverCapacity(name, "data");
                }
            }, capture);
            return capture.WrittenMemory;
        }

        private async Task<long[]> ReadShapeAsync(string? name)
        {
            if (_token != JsonTokenType.StartArray)
            {
                throw ProtocolException.BadRequest($"{What(name)} needs a 'shape' array");
            }
            var dims = new List<long>();
            while (await NextAsync() is not JsonTokenType.EndArray)
            {
                if (_token != JsonTokenType.Number || !Utf8Parser.TryParse(Number, out long value, out var used) || used != _numberLength || value < 0)
                {
                    throw ProtocolException.BadRequest($"{What(name)}: shape must hold non-negative whole numbers (got {Kind(_token)} at dimension {dims.Count})");
                }
                if (dims.Count == MaxRank)
                {
                    throw ProtocolException.BadRequest($"{What(name)}: shape has more than {MaxRank} dimensions");
                }
                dims.Add(value);
            }
            return [.. dims];
        }

        private async Task<RequestedOutput> ReadOutputAsync()
        {
            RequireObject("each requested output");
            string? name = null;
            bool? binaryData = null;
            int? classification = null;
            var seen = new Seen();
            while (await NextPropertyAsync())
            {
                if (_property == "name")
                {
                    seen.Once(0, "a requested output's 'name'");
                    await NextAsync();
                    name = _token == JsonTokenType.String ? Text("a requested output's 'name'")
                        : throw ProtocolException.BadRequest("a requested output needs a 'name' string");
                }
                else if (_property == "parameters")
                {
                    seen.Once(1, "a requested output's 'parameters'");
                    await NextAsync();
                    if (_token == JsonTokenType.Null)
                    {
                        continue;
                    }
                    var what = name is null ? "a requested output" : $"output '{ClientText.Echo(name)}'";
                    RequireObject($"{what}'s 'parameters'");
                    while (await NextPropertyAsync())
                    {
                        if (_property == "binary_data")
                        {
                            await NextAsync();
                            binaryData = Bool("binary_data", what);
                        }
                        else if (_property == "classification")
                        {
                            await NextAsync();
                            if (_token != JsonTokenType.Null)
                            {
                                classification = _token == JsonTokenType.Number && Utf8Parser.TryParse(Number, out int k, out var used) && used == _numberLength
                                    ? k
                                    : throw ProtocolException.BadRequest($"{what}: classification must be a whole number of classes");
                            }
                        }
                        else
                        {
                            await SkipValueAsync();
                        }
                    }
                }
                else
                {
                    await SkipValueAsync();
                }
            }
            return name is null
                ? throw ProtocolException.BadRequest("a requested output needs a 'name' string")
                : new RequestedOutput(name, binaryData, classification);
        }

        private ReadOnlySpan<byte> Number => _number.AsSpan(0, _numberLength);

        /// <summary>Reads the next token.</summary>
        private async ValueTask<JsonTokenType> NextAsync()
        {
            await _json.RunAsync(_readToken, _cancellationToken);
            return _token;
        }

        /// <summary>Reads the next property name of the object being read; false at its end.</summary>
        private async ValueTask<bool> NextPropertyAsync() => await NextAsync() == JsonTokenType.PropertyName;

        /// <summary>Skips the value of the property just read.</summary>
        private async ValueTask SkipValueAsync()
        {
            if (await NextAsync() is JsonTokenType.StartArray or JsonTokenType.StartObject)
            {
                await SkipNestedAsync();
            }
        }

        /// <summary>Skips the rest of the object or array whose start was just read, checking its strings are UTF-8.</summary>
        private ValueTask SkipNestedAsync() => ReadNestedAsync(static (ref Utf8JsonReader reader) =>
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
            {
                RequireUtf8(ref reader);
            }
        });

        /// <summary>A token inside a nested value that is neither its start nor its end.</summary>
        private delegate void Leaf(ref Utf8JsonReader reader);

        /// <summary>
        /// Reads to the end of the object or array whose start was just read, handing every token but the brackets and
        /// braces to <paramref name="leaf"/>, and copying what it reads into <paramref name="capture"/> when given.
        /// </summary>
        private async ValueTask ReadNestedAsync(Leaf leaf, IBufferWriter<byte>? capture = null)
        {
            var depth = 1;
            await _json.RunAsync((ref Utf8JsonReader reader) =>
            {
                while (reader.Read())
                {
                    switch (reader.TokenType)
                    {
                        case JsonTokenType.StartArray or JsonTokenType.StartObject:
                            depth++;
                            break;
                        case JsonTokenType.EndArray or JsonTokenType.EndObject:
                            if (--depth == 0)
                            {
                                return true;
                            }
                            break;
                        default:
                            leaf(ref reader);
                            break;
                    }
                }
                return false;
            }, _cancellationToken, capture);
        }

        private bool ReadToken(ref Utf8JsonReader reader)
        {
            if (!reader.Read())
            {
                return false;
            }
            _token = reader.TokenType;
            switch (_token)
            {
                case JsonTokenType.PropertyName:
                    RequireUtf8(ref reader);
                    // Only the service's own short names matter; anything long or undecodable is just not one of them.
                    _property = ValueLength(ref reader) <= 64 && TryGetString(ref reader, out var property) ? property : "";
                    break;
                case JsonTokenType.String:
                    RequireUtf8(ref reader);
                    _string = null;
                    _stringProblem = null;
                    if (ValueLength(ref reader) > MaxNameBytes)
                    {
                        _stringProblem = $"is {ValueLength(ref reader)} bytes long; at most {MaxNameBytes}";
                    }
                    else if (TryGetString(ref reader, out var text))
                    {
                        _string = text;
                    }
                    else
                    {
                        _stringProblem = "is not valid text: it holds an unpaired surrogate escape (\\ud800 to \\udfff)";
                    }
                    break;
                case JsonTokenType.Number:
                    var length = ValueLength(ref reader);
                    _numberLength = length <= _number.Length ? length : 0;
                    if (_numberLength > 0)
                    {
                        if (reader.HasValueSequence)
                        {
                            reader.ValueSequence.CopyTo(_number);
                        }
                        else
                        {
                            reader.ValueSpan.CopyTo(_number);
                        }
                    }
                    break;
            }
            return true;
        }

        private static int ValueLength(ref Utf8JsonReader reader) =>
            (int)(reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length);

        private static bool TryGetString(ref Utf8JsonReader reader, out string text)
        {
            try
            {
                text = reader.GetString()!;
                return true;
            }
            catch (InvalidOperationException)
            {
                text = "";
                return false;
            }
        }

        /// <summary>
        /// The reader does not check that strings are UTF-8; the service does, for every string it is sent. A string
        /// longer than a token may be is refused too, whether it arrived in one piece or not.
        /// </summary>
        private static void RequireUtf8(ref Utf8JsonReader reader)
        {
            if (ValueLength(ref reader) > JsonPipeReader.MaxTokenBytes)
            {
                throw JsonPipeReader.TokenTooLong();
            }
            var valid = reader.HasValueSequence ? Utf8.IsValid(reader.ValueSequence.ToArray()) : Utf8.IsValid(reader.ValueSpan);
            if (!valid)
            {
                throw ProtocolException.BadRequest("the request is not valid JSON: a string in it is not UTF-8");
            }
        }

        private string Text(string what) => _string ?? throw ProtocolException.BadRequest($"{what} {_stringProblem}");

        private bool? Bool(string property, string what) => _token switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => throw ProtocolException.BadRequest($"{what}: {property} must be true or false"),
        };

        private void RequireObject(string what)
        {
            if (_token != JsonTokenType.StartObject)
            {
                throw ProtocolException.BadRequest($"{what} must be a JSON object, not {Kind(_token)}");
            }
        }
    }

    private static string What(string? name) => name is null ? "an input" : $"input '{ClientText.Echo(name)}'";

    /// <summary>The product of <paramref name="shape"/>, saturating at <see cref="long.MaxValue"/>.</summary>
    private static long Elements(long[] shape)
    {
        long product = 1;
        foreach (var dim in shape)
        {
            if (dim != 0 && product > long.MaxValue / dim)
            {
                return long.MaxValue;
            }
            product *= dim;
        }
        return product;
    }

    private static string Kind(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString().ToLowerInvariant(),
    };

    /// <summary>Which of an object's known properties were seen: one given twice is refused, not silently overridden.</summary>
    private struct Seen
    {
        private int _bits;

        public void Once(int property, string what)
        {
            if ((_bits & (1 << property)) != 0)
            {
                throw ProtocolException.BadRequest($"{what} is given twice");
            }
            _bits |= 1 << property;
        }
    }
}
