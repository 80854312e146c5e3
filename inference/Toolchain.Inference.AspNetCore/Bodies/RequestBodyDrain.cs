using System.Buffers;

namespace Toolchain.Inference.AspNetCore.Bodies;

/// <summary>
/// Reads a refused request's body to its end (up to Kestrel's cap) and discards it, so the 413 that follows reaches a
/// client still sending rather than a reset connection; shared by /v1 uploads and /v2 protocol bodies.
/// </summary>
public static class RequestBodyDrain
{
    /// <summary>Reads what is left of <paramref name="request"/>'s body and throws it away.</summary>
    public static async Task DrainAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (await request.Body.ReadAsync(scratch, cancellationToken) > 0)
            {
            }
        }
        catch (BadHttpRequestException)
        {
            // Over Kestrel's cap: it closes the connection after the 413.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }
}
