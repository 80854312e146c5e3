using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Toolchain.Inference.AspNetCore.Protocol;

/// <summary>
/// Decodes one input's JSON <c>data</c> array into little-endian elements of the declared type, flat or nested
/// (row-major), as its tokens arrive (<see cref="Step"/> resumes where the last bytes ended), counting as it goes:
/// the first element past <c>limit</c> ends the read with a 400, so a body of millions of numbers for a two-element
/// input costs nothing beyond the few kilobytes read. Nested arrays must be rectangular: every array at one depth as
/// long as the others, numbers only at the deepest level.
/// </summary>
internal sealed class JsonTensorData
{
    private readonly TensorElementType _type;
    private readonly string _input;
    private readonly long _limit;
    private readonly Func<ProtocolException> _excess;
    private readonly int _size;
    // Per depth (1 = the data array itself): items seen in the open array, and the length every array there must have.
    private readonly int[] _items = new int[RestRequestReader.MaxDepth + 1];
    private readonly int[] _lengths = new int[RestRequestReader.MaxDepth + 1];
    private byte[] _buffer;
    private long _count;
    private int _leafDepth = -1;
    private int _depth = 1;

    /// <summary>
    /// A decoder for the array whose opening bracket has just been read. <paramref name="limit"/> is the most elements
    /// it may hold; <paramref name="excess"/> makes the 400 for one more. Other refusals (a value not of the type, a
    /// ragged array) are 400s naming <paramref name="input"/>.
    /// </summary>
    public JsonTensorData(TensorElementType type, string input, long limit, Func<ProtocolException> excess)
    {
        _size = Toolchain.Inference.Runtime.TensorSpec.SizeOf(type);
        if (_size == 0 || type is TensorElementType.Float16 or TensorElementType.BFloat16)
        {
            throw ProtocolException.BadRequest($"input '{ClientText.Echo(input)}': data type {Datatype.Of(type)} cannot be given as JSON data; send it as binary data");
        }
        _type = type;
        _input = input;
        _limit = limit;
        _excess = excess;
        _buffer = new byte[(int)Math.Min(Math.Max(limit, 1), 1024) * _size];
        Array.Fill(_lengths, -1);
    }

    /// <summary>The elements read, once <see cref="Step"/> has answered true.</summary>
    public (byte[] Bytes, long Count) Result =>
        (_buffer.Length == _count * _size ? _buffer : _buffer.AsSpan(0, (int)(_count * _size)).ToArray(), _count);

    /// <summary>Reads tokens until the array closes (true) or the reader runs out of bytes (false: call again with more).</summary>
    public bool Step(ref Utf8JsonReader reader)
    {
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                    _items[_depth]++;
                    _depth++;
                    if (_leafDepth != -1 && _depth > _leafDepth)
                    {
                        throw Ragged(_input, "it holds an array where its other items are numbers");
                    }
                    _items[_depth] = 0;
                    break;
                case JsonTokenType.EndArray:
                    if (_lengths[_depth] == -1)
                    {
                        _lengths[_depth] = _items[_depth];
                    }
                    else if (_lengths[_depth] != _items[_depth])
                    {
                        throw Ragged(_input, $"an array at depth {_depth} holds {_items[_depth]} items where the first held {_lengths[_depth]}");
                    }
                    if (--_depth == 0)
                    {
                        return true;
                    }
                    break;
                default:
                    _items[_depth]++;
                    if (_leafDepth == -1)
                    {
                        _leafDepth = _depth;
                    }
                    else if (_leafDepth != _depth)
                    {
                        throw Ragged(_input, "it holds numbers at more than one depth");
                    }
                    if (_count == _limit)
                    {
                        throw _excess();
                    }
                    var offset = (int)(_count * _size);
                    if (offset + _size > _buffer.Length)
                    {
                        Array.Resize(ref _buffer, (int)Math.Min((long)_buffer.Length * 2, _limit * _size));
                    }
                    Write(ref reader, _type, _buffer.AsSpan(offset, _size), _input, _count);
                    _count++;
                    break;
            }
        }
        return false;
    }

    private static ProtocolException Ragged(string input, string how) =>
        ProtocolException.BadRequest($"input '{ClientText.Echo(input)}': 'data' is ragged: {how}; nested arrays must be rectangular");

    private static void Write(ref Utf8JsonReader reader, TensorElementType type, Span<byte> span, string input, long index)
    {
        if (type == TensorElementType.Bool)
        {
            span[0] = reader.TokenType switch
            {
                JsonTokenType.True => 1,
                JsonTokenType.False => 0,
                _ => throw Bad(ref reader, input, index, "BOOL"),
            };
            return;
        }
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw Bad(ref reader, input, index, Datatype.Of(type));
        }
        var ok = type switch
        {
            TensorElementType.Float => reader.TryGetDouble(out var d) && Put(span, (float)d, float.IsFinite((float)d)),
            TensorElementType.Double => reader.TryGetDouble(out var d) && Put(span, d),
            TensorElementType.UInt8 => reader.TryGetByte(out var b) && Put(span, b),
            TensorElementType.Int8 => reader.TryGetSByte(out var sb) && Put(span, sb),
            TensorElementType.UInt16 => reader.TryGetUInt16(out var u16) && Put(span, u16),
            TensorElementType.Int16 => reader.TryGetInt16(out var i16) && Put(span, i16),
            TensorElementType.UInt32 => reader.TryGetUInt32(out var u32) && Put(span, u32),
            TensorElementType.Int32 => reader.TryGetInt32(out var i32) && Put(span, i32),
            TensorElementType.UInt64 => reader.TryGetUInt64(out var u64) && Put(span, u64),
            TensorElementType.Int64 => reader.TryGetInt64(out var i64) && Put(span, i64),
            _ => false,
        };
        if (!ok)
        {
            throw Bad(ref reader, input, index, Datatype.Of(type));
        }
    }

    private static bool Put<T>(Span<byte> span, T value, bool valid = true)
        where T : unmanaged
    {
        // Element bytes are little-endian on the wire; every platform .NET runs this service on is little-endian.
        MemoryMarshal.Write(span, in value);
        return valid;
    }

    private static ProtocolException Bad(ref Utf8JsonReader reader, string input, long index, string datatype)
    {
        var text = reader.TokenType switch
        {
            JsonTokenType.String => $"\"{Raw(ref reader)}\"",
            JsonTokenType.StartObject => "{...}",
            _ => Raw(ref reader),
        };
        return ProtocolException.BadRequest(
            $"input '{ClientText.Echo(input)}': element {index} ({(text.Length > 40 ? text[..40] + "..." : text)}) is not a {datatype} value");
    }

    /// <summary>The token as written (escapes left as they are), never more than a line's worth.</summary>
    private static string Raw(ref Utf8JsonReader reader)
    {
        ReadOnlySpan<byte> span = reader.HasValueSequence ? reader.ValueSequence.Slice(0, Math.Min(reader.ValueSequence.Length, 64)).ToArray() : reader.ValueSpan;
        return ClientText.Echo(Encoding.UTF8.GetString(span[..Math.Min(span.Length, 64)]));
    }
}
