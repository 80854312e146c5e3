using System.IO.Pipelines;
using Toolchain.Inference.AspNetCore.Bodies;

namespace Toolchain.Inference.AspNetCore.Protocol;

/// <summary>
/// Reads a REST inference request from its body as the bytes arrive (see <see cref="RestRequestReader"/>): the body
/// is never held whole, so what a refused request costs is what was read before the refusal. gzip and deflate bodies
/// are decoded on the way, the body limit holding for the decoded bytes.
/// </summary>
internal static class ProtocolBody
{
    /// <summary>
    /// The request in <paramref name="request"/>'s body, read against <paramref name="capacity"/>. Refusals are
    /// <see cref="ProtocolException"/> (400) or <see cref="BodyRefusedException"/> (413, 415); a body refused before its
    /// end is drained first, so that a client still sending sees the answer rather than a reset connection.
    /// </summary>
    public static async Task<InferRequest> ReadAsync(HttpRequest request, RequestCapacity capacity, CancellationToken cancellationToken)
    {
        if (request.ContentLength > BodyLimits.MaxBodyBytes)
        {
            await RequestBody.DrainUnlessContinueAsync(request, cancellationToken);
            throw BodyRefusedException.TooLarge();
        }
        var encoding = RequestBody.ContentEncoding(request);
        var headerLength = request.Headers[RestRequestReader.HeaderLengthHeader];
        await using var decoded = encoding is null ? null : RequestBody.Decoder(request.Body, encoding);
        var pipe = decoded is null ? request.BodyReader : PipeReader.Create(decoded, new StreamPipeReaderOptions(leaveOpen: true));
        try
        {
            return await RestRequestReader.ReadAsync(pipe, headerLength.Count > 0 ? headerLength.ToString() : null,
                encoding is null ? request.ContentLength : null, capacity, cancellationToken);
        }
        catch (Exception e) when (e is ProtocolException or BodyRefusedException)
        {
            await RequestBodyDrain.DrainAsync(request, cancellationToken);
            throw;
        }
        catch (InvalidDataException e) when (encoding is not null)
        {
            await RequestBodyDrain.DrainAsync(request, cancellationToken);
            throw BodyRefusedException.Malformed($"it is not valid {encoding} data ({e.Message.TrimEnd('.')})");
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
        finally
        {
            if (decoded is not null)
            {
                await pipe.CompleteAsync();
            }
        }
    }
}
