using System.Buffers;
using System.IO.Compression;

namespace Toolchain.Inference.AspNetCore.Bodies;

/// <summary>
/// A request body read whole into memory (an image must be, to be decoded), within <see cref="BodyLimits.MaxBodyBytes"/>
/// (after decoding) and the process's <see cref="BodyBudget"/>; dispose it to give the memory back. It costs its own
/// size: small bodies come from the shared array pool, large ones get memory of their own of exactly the declared size
/// (never a pooled array rounded up to the next power of two that the pool then keeps), mapped from the operating
/// system and returned to it on dispose, and a body of unknown length grows by doubling.
/// <c>Content-Encoding: gzip</c> or <c>deflate</c> (what tritonclient's request compression sends) is decoded as it is
/// read, and the limit holds for the decoded bytes, so a compression bomb stops at the limit with 413.
/// </summary>
public sealed class RequestBody : IDisposable
{
    /// <summary>Bodies up to this size use pooled buffers; larger ones get memory of their own, released on dispose.</summary>
    private const int PooledUpTo = 1024 * 1024;

    private const int UnknownLengthStart = 16 * 1024;

    private readonly BodyBudget _budget;
    private Block? _block;
    private long _taken;

    private RequestBody(BodyBudget budget, Block block, int length, long taken)
    {
        _budget = budget;
        _block = block;
        Length = length;
        _taken = taken;
    }

    /// <summary>Bytes the body holds (decoded).</summary>
    public int Length { get; }

    /// <summary>The body's bytes; valid until it is disposed.</summary>
    public ReadOnlySpan<byte> Span => (_block ?? throw new ObjectDisposedException(nameof(RequestBody))).Memory.Span[..Length];

    /// <summary>Gives the memory back to the pool or the operating system, and to the budget.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _block, null) is { } block)
        {
            block.Release();
            _budget.Give(Interlocked.Exchange(ref _taken, 0));
        }
    }

    /// <summary>
    /// Reads the body of <paramref name="request"/>. Throws <see cref="BodyRefusedException"/>: 413 over the limit
    /// (after draining what the client sends, unless it asked to continue first, so it sees the answer), 415 for an
    /// encoding other than gzip, deflate or identity, 400 for a body that cannot be read or decoded, 429 past the budget.
    /// </summary>
    public static async Task<RequestBody> ReadAsync(HttpRequest request, BodyBudget budget, CancellationToken cancellationToken)
    {
        if (request.ContentLength > BodyLimits.MaxBodyBytes)
        {
            await DrainUnlessContinueAsync(request, cancellationToken);
            throw BodyRefusedException.TooLarge();
        }
        var encoding = ContentEncoding(request);
        try
        {
            if (encoding is null)
            {
                return await ReadAsync(request.Body, request.ContentLength, budget, cancellationToken);
            }
            await using var decoded = Decoder(request.Body, encoding);
            return await ReadAsync(decoded, declaredLength: null, budget, cancellationToken);
        }
        catch (BodyRefusedException e) when (e.StatusCode is StatusCodes.Status413PayloadTooLarge or StatusCodes.Status429TooManyRequests)
        {
            await RequestBodyDrain.DrainAsync(request, cancellationToken);
            throw;
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await RequestBodyDrain.DrainAsync(request, cancellationToken);
            throw BodyRefusedException.TooLarge();
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own verdict on the framing, e.g. a malformed chunk size line.
            throw BodyRefusedException.Malformed(e.Message);
        }
        catch (InvalidDataException e) when (encoding is not null)
        {
            throw BodyRefusedException.Malformed($"it is not valid {encoding} data ({e.Message.TrimEnd('.')})");
        }
    }

    /// <summary>
    /// Reads <paramref name="source"/> to its end (an uploaded form file, a decoding stream); <paramref name="declaredLength"/>
    /// sizes the buffer when known. Throws <see cref="BodyRefusedException"/> with 413 or 429; the caller drains.
    /// </summary>
    public static async Task<RequestBody> ReadAsync(Stream source, long? declaredLength, BodyBudget budget, CancellationToken cancellationToken)
    {
        // One byte more than declared, so that the read that finds the end never has to grow the buffer.
        var size = declaredLength is { } declared ? (int)Math.Min(declared + 1, BodyLimits.MaxBodyBytes + 1) : UnknownLengthStart;
        var taken = Take(budget, size, 0);
        Block? block = null;
        var length = 0;
        try
        {
            block = Block.Allocate(size);
            while (true)
            {
                if (length == block.Memory.Length)
                {
                    if (length > BodyLimits.MaxBodyBytes)
                    {
                        throw BodyRefusedException.TooLarge();
                    }
                    var biggerSize = (int)Math.Min((long)block.Memory.Length * 2, BodyLimits.MaxBodyBytes + 1);
                    taken = Take(budget, biggerSize, taken);
                    var bigger = Block.Allocate(biggerSize);
                    block.Memory[..length].CopyTo(bigger.Memory);
                    block.Release();
                    block = bigger;
                }
                var read = await source.ReadAsync(block.Memory[length..], cancellationToken);
                if (read == 0)
                {
                    break;
                }
                length += read;
                if (length > BodyLimits.MaxBodyBytes)
                {
                    throw BodyRefusedException.TooLarge();
                }
            }
            var body = new RequestBody(budget, block, length, taken);
            block = null;
            taken = 0;
            return body;
        }
        finally
        {
            block?.Release();
            budget.Give(taken);
        }
    }

    /// <summary>A stream that decodes <paramref name="body"/> of <paramref name="encoding"/> ("gzip" or "deflate"), leaving it open.</summary>
    internal static Stream Decoder(Stream body, string encoding) => encoding == "gzip"
        ? new GZipStream(body, CompressionMode.Decompress, leaveOpen: true)
        : new ZLibStream(body, CompressionMode.Decompress, leaveOpen: true);

    /// <summary>The decoding the body needs ("gzip", "deflate"), null for none; 415 for any other.</summary>
    internal static string? ContentEncoding(HttpRequest request)
    {
        var value = request.Headers.ContentEncoding.ToString().Trim();
        if (value.Length == 0 || value.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        if (value.Equals("gzip", StringComparison.OrdinalIgnoreCase) || value.Equals("x-gzip", StringComparison.OrdinalIgnoreCase))
        {
            return "gzip";
        }
        if (value.Equals("deflate", StringComparison.OrdinalIgnoreCase))
        {
            return "deflate";
        }
        throw new BodyRefusedException(StatusCodes.Status415UnsupportedMediaType, "Unsupported content encoding",
            $"Content-Encoding '{ClientText.Echo(value)}' is not accepted; send the body as it is, or as gzip or deflate");
    }

    /// <summary>
    /// Takes the budget for a buffer of <paramref name="size"/> bytes that replaces one holding <paramref name="held"/>;
    /// what it holds afterwards (both while the old one is copied). Bodies of up to <see cref="BodyBudget.FreeBytes"/> hold none.
    /// </summary>
    private static long Take(BodyBudget budget, int size, long held)
    {
        if (size <= BodyBudget.FreeBytes)
        {
            return held;
        }
        if (!budget.TryTake(size))
        {
            throw new BodyRefusedException(StatusCodes.Status429TooManyRequests, "Too many large requests",
                $"the service holds {(budget.Capacity - budget.Available) / 1024 / 1024} MB of other request bodies and has no room for this one now; retry later");
        }
        return held + size;
    }

    /// <summary>
    /// Memory for a body: a pooled array up to <see cref="PooledUpTo"/>; above it mapped memory where the platform has
    /// it (see <see cref="MappedBuffer"/>), else an array of its own.
    /// </summary>
    private sealed class Block
    {
        private readonly byte[]? _pooled;
        private readonly MappedBuffer? _mapped;

        private Block(Memory<byte> memory, byte[]? pooled, MappedBuffer? mapped)
        {
            Memory = memory;
            _pooled = pooled;
            _mapped = mapped;
        }

        public Memory<byte> Memory { get; }

        public static Block Allocate(int size)
        {
            if (size <= PooledUpTo)
            {
                var array = ArrayPool<byte>.Shared.Rent(size);
                return new Block(array, array, null);
            }
            if (MappedBuffer.IsSupported)
            {
                var mapped = MappedBuffer.Allocate(size);
                return new Block(mapped.Memory, null, mapped);
            }
            return new Block(GC.AllocateUninitializedArray<byte>(size), null, null);
        }

        public void Release()
        {
            if (_pooled is not null)
            {
                ArrayPool<byte>.Shared.Return(_pooled);
            }
            ((IDisposable?)_mapped)?.Dispose();
        }
    }

    /// <summary>Drains the body unless the client waits for 100 Continue before sending it.</summary>
    internal static async Task DrainUnlessContinueAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // A client that asked to continue has not sent the body: reading it would make Kestrel say 100 Continue and
        // take megabytes only to refuse them. Without Expect the body is on its way and is drained first.
        if (!request.Headers.Expect.ToString().Contains("100-continue", StringComparison.OrdinalIgnoreCase))
        {
            await RequestBodyDrain.DrainAsync(request, cancellationToken);
        }
    }
}
