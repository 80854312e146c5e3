using System.Buffers;
using Toolchain.Inference.Service.Endpoints;

namespace Toolchain.Inference.Service.Protocol;

/// <summary>Reads a protocol request body into a pooled buffer, within the service's body limit.</summary>
internal static class ProtocolBody
{
    /// <summary>
    /// The body in a buffer rented from <see cref="ArrayPool{T}.Shared"/> (the caller returns it) and its length.
    /// Over <see cref="ServiceLimits.MaxBodyBytes"/>: 413, after draining what the client sends (as /v1 does), so it
    /// sees the answer rather than a reset connection.
    /// </summary>
    public static async Task<(byte[] Buffer, int Length)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > ServiceLimits.MaxBodyBytes)
        {
            if (!request.Headers.Expect.ToString().Contains("100-continue", StringComparison.OrdinalIgnoreCase))
            {
                await RequestBodyDrain.DrainAsync(request, cancellationToken);
            }
            throw TooLarge();
        }
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(request.ContentLength ?? 16 * 1024, 1, ServiceLimits.MaxBodyBytes + 1));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > ServiceLimits.MaxBodyBytes)
                    {
                        await RequestBodyDrain.DrainAsync(request, cancellationToken);
                        throw TooLarge();
                    }
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, ServiceLimits.MaxBodyBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }
                length += read;
                if (length > ServiceLimits.MaxBodyBytes)
                {
                    await RequestBodyDrain.DrainAsync(request, cancellationToken);
                    throw TooLarge();
                }
            }
            var result = (buffer, length);
            buffer = null!;
            return result;
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge();
        }
        catch (BadHttpRequestException e)
        {
            throw ProtocolException.BadRequest($"the request body cannot be read: {e.Message}");
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static ProtocolException TooLarge() => new(StatusCodes.Status413PayloadTooLarge,
        $"the request body is over the {ServiceLimits.MaxBodyBytes / 1024 / 1024} MB limit");
}
