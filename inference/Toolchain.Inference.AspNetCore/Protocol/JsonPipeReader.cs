using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Toolchain.Inference.AspNetCore.Bodies;

namespace Toolchain.Inference.AspNetCore.Protocol;

/// <summary>
/// A JSON document read from a <see cref="PipeReader"/> as its bytes arrive, with <see cref="Utf8JsonReader"/> over
/// whatever the pipe holds: nothing is buffered beyond the token being read, so a request refused at its third number
/// has cost the few kilobytes read so far, whatever it goes on to send. Optionally only the first
/// <c>jsonLength</c> bytes are JSON (Triton's binary tensor extension), and what follows is read with
/// <see cref="ReadBinaryAsync"/>. Every byte read counts against <see cref="BodyLimits.MaxBodyBytes"/> (413).
/// </summary>
internal sealed class JsonPipeReader(PipeReader pipe, long? jsonLength, JsonReaderOptions options)
{
    /// <summary>
    /// Reads tokens with the reader it is given until it is done (true), or until <c>reader.Read()</c> returns false
    /// because the pipe holds no more yet (false); it is called again with the rest. Whatever it keeps between calls
    /// lives outside the reader.
    /// </summary>
    public delegate bool Step(ref Utf8JsonReader reader);

    /// <summary>The longest single token (a string, a number) or run of white space the reader waits for.</summary>
    public const int MaxTokenBytes = 256 * 1024;

    private ReadOnlySequence<byte> _buffer;
    private bool _reading;
    private bool _completed;
    private long _jsonConsumed;
    // Bytes of the body before _buffer's start.
    private long _before;
    private JsonReaderState _state = new(options);

    /// <summary>The bytes of the body read so far (for the body limit and messages).</summary>
    public long BytesRead => _before + _buffer.Length;

    /// <summary>
    /// Runs <paramref name="step"/> over the JSON as it arrives until it is done; with <paramref name="capture"/>, the
    /// bytes it reads are copied there too (up to the body limit, as they are read anyway).
    /// </summary>
    public async ValueTask RunAsync(Step step, CancellationToken cancellationToken, IBufferWriter<byte>? capture = null)
    {
        if (!_reading)
        {
            await FillAsync(cancellationToken);
        }
        while (true)
        {
            var json = JsonPart(out var final);
            var reader = new Utf8JsonReader(json, final, _state);
            var done = step(ref reader);
            _state = reader.CurrentState;
            if (capture is not null)
            {
                foreach (var segment in json.Slice(0, reader.BytesConsumed))
                {
                    capture.Write(segment.Span);
                }
            }
            Consume(reader.BytesConsumed);
            _jsonConsumed += reader.BytesConsumed;
            if (done)
            {
                return;
            }
            if (final)
            {
                throw new JsonException("the JSON ends before the request does");
            }
            if (json.Length - reader.BytesConsumed > MaxTokenBytes)
            {
                // Kestrel stops reading the socket while 1 MB of it waits unconsumed: a longer token would stall the request.
                throw TokenTooLong();
            }
            await FillAsync(cancellationToken);
        }
    }

    /// <summary>The refusal of a token longer than <see cref="MaxTokenBytes"/>.</summary>
    public static ProtocolException TokenTooLong() =>
        ProtocolException.BadRequest($"the request holds a JSON token (or a run of white space) of more than {MaxTokenBytes / 1024} KB");

    /// <summary>After the document: true when nothing but white space follows it in the JSON part (which is then consumed).</summary>
    public async ValueTask<bool> AtEndAsync(CancellationToken cancellationToken)
    {
        var more = false;
        await RunAsync((ref Utf8JsonReader reader) =>
        {
            if (reader.Read())
            {
                more = true;
                return true;
            }
            return reader.IsFinalBlock;
        }, cancellationToken);
        if (!more)
        {
            // White space the final reader may not count as consumed: the binary data, if any, starts after it.
            var rest = jsonLength is { } length ? length - _jsonConsumed : _buffer.Length;
            Consume(rest);
            _jsonConsumed += rest;
        }
        return !more;
    }

    /// <summary>
    /// The bytes after the JSON part: exactly <paramref name="expected"/> of them into one array, and how many there
    /// were in all (fewer, or more: the caller says which input's size they do not match). Reads no more than the body
    /// limit allows.
    /// </summary>
    public async ValueTask<(byte[] Bytes, long Total)> ReadBinaryAsync(int expected, CancellationToken cancellationToken)
    {
        var bytes = new byte[expected];
        long total = 0;
        while (true)
        {
            var take = (int)Math.Min(_buffer.Length, Math.Max(0, expected - total));
            if (take > 0)
            {
                _buffer.Slice(0, take).CopyTo(bytes.AsSpan((int)total));
            }
            total += _buffer.Length;
            Consume(_buffer.Length);
            if (_completed)
            {
                return (bytes, total);
            }
            await FillAsync(cancellationToken);
        }
    }

    /// <summary>Reads the rest of the body and throws it away, so that the client, still sending, sees the answer.</summary>
    public async ValueTask DrainAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!_completed)
            {
                Consume(_buffer.Length);
                await FillAsync(cancellationToken, enforceLimit: false);
            }
            Consume(_buffer.Length);
        }
        catch (BadHttpRequestException)
        {
            // Past Kestrel's own cap: it closes the connection after the answer.
        }
        catch (BodyRefusedException)
        {
            // A decoder that fails on the rest: nothing more to read.
        }
        catch (InvalidDataException)
        {
        }
    }

    /// <summary>Gives back what the pipe lent; call once reading is over.</summary>
    public void Release()
    {
        if (_reading)
        {
            pipe.AdvanceTo(_buffer.End);
            _reading = false;
        }
    }

    private ReadOnlySequence<byte> JsonPart(out bool final)
    {
        if (jsonLength is not { } length)
        {
            final = _completed;
            return _buffer;
        }
        var remaining = length - _jsonConsumed;
        if (_buffer.Length >= remaining)
        {
            final = true;
            return _buffer.Slice(0, remaining);
        }
        if (_completed)
        {
            throw ProtocolException.BadRequest(
                $"{RestRequestReader.HeaderLengthHeader} says the JSON header is {length} bytes but the body has only {BytesRead}");
        }
        final = false;
        return _buffer;
    }

    private void Consume(long bytes)
    {
        _before += bytes;
        _buffer = _buffer.Slice(bytes);
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken, bool enforceLimit = true)
    {
        if (_reading)
        {
            // Everything held is examined: the next read waits for more.
            pipe.AdvanceTo(_buffer.Start, _buffer.End);
        }
        var result = await pipe.ReadAsync(cancellationToken);
        _reading = true;
        _buffer = result.Buffer;
        _completed = result.IsCompleted;
        if (enforceLimit && BytesRead > BodyLimits.MaxBodyBytes)
        {
            throw BodyRefusedException.TooLarge();
        }
    }
}
