using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Toolchain.Inference.Service.Endpoints;

/// <summary>An uploaded image held in a pooled buffer; dispose it to return the buffer.</summary>
internal sealed class ImageUpload : IDisposable
{
    private static readonly string[] ImageTypes = ["image/png", "image/jpeg", "image/gif", "image/bmp"];

    private byte[]? _buffer;

    private ImageUpload(byte[] buffer, int length, string name)
    {
        _buffer = buffer;
        Length = length;
        Name = name;
    }

    public int Length { get; }

    /// <summary>Names the image in error messages: "request body" or the uploaded file name.</summary>
    public string Name { get; }

    public ReadOnlySpan<byte> Bytes => _buffer.AsSpan(0, Length);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Reads the image from a raw image body or the first file of a multipart form. Returns the upload, or an error
    /// result: 415 for another content type, 413 over <see cref="ServiceLimits.MaxBodyBytes"/>, 400 for a form with no file.
    /// </summary>
    public static async Task<(ImageUpload? Upload, IResult? Error)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > ServiceLimits.MaxBodyBytes)
        {
            // A client that asked to continue has not sent the body: reading it would make Kestrel say 100 Continue
            // and take megabytes only to refuse them. Without Expect the body is on its way and is drained first.
            return request.Headers.Expect.ToString().Contains("100-continue", StringComparison.OrdinalIgnoreCase)
                ? (null, TooLarge())
                : (null, await TooLargeAsync(request, cancellationToken));
        }
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || mediaType.MediaType.Value is not { } type)
        {
            return (null, Unsupported(request.ContentType));
        }
        var isForm = type.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);
        if (!isForm && !IsImageType(type))
        {
            return (null, Unsupported(request.ContentType));
        }
        try
        {
            return isForm
                ? await ReadFormAsync(request, cancellationToken)
                : (await ReadStreamAsync(request.Body, request.ContentLength, "request body", cancellationToken), null);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, await TooLargeAsync(request, cancellationToken));
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own verdict on the body, e.g. a malformed or overflowing chunk size line.
            return (null, MalformedBody(e.Message));
        }
        catch (InvalidDataException e) when (isForm)
        {
            // Form parsing reports malformed multipart and its own limits this way; only the body limit is a size problem.
            return e.Message.Contains("body length limit", StringComparison.OrdinalIgnoreCase)
                ? (null, await TooLargeAsync(request, cancellationToken))
                : (null, MalformedForm(e.Message));
        }
        catch (InvalidDataException e)
        {
            return (null, MalformedBody(e.Message));
        }
        catch (IOException e) when (!cancellationToken.IsCancellationRequested && e is not Microsoft.AspNetCore.Connections.ConnectionResetException)
        {
            // A form: the multipart reader hits the end of the body before the closing boundary (a truncated body, or a
            // boundary parameter that does not match the body). A raw body: the framing below it broke.
            return (null, isForm ? MalformedForm(e.Message) : MalformedBody(e.Message));
        }
    }

    private static IResult MalformedBody(string reason) => Results.Problem(statusCode: StatusCodes.Status400BadRequest,
        title: "Malformed request body", detail: $"the request body cannot be read: {reason}");

    private static IResult MalformedForm(string reason) => Results.Problem(statusCode: StatusCodes.Status400BadRequest,
        title: "Malformed multipart form", detail: $"the multipart form cannot be read: {reason}");

    private static async Task<(ImageUpload?, IResult?)> ReadFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var form = await request.ReadFormAsync(new FormOptions
        {
            MultipartBodyLengthLimit = ServiceLimits.MaxBodyBytes,
            ValueCountLimit = 16,
            ValueLengthLimit = 4096,
            MultipartHeadersLengthLimit = 16 * 1024,
            BufferBodyLengthLimit = ServiceLimits.MaxBodyBytes,
        }, cancellationToken);
        var file = form.Files.GetFile("image") ?? form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
        if (file is null)
        {
            return (null, Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "No image in the form",
                detail: "the multipart form has no file part; send the image as a file field named 'image'"));
        }
        if (!string.IsNullOrEmpty(file.ContentType)
            && !IsImageType(file.ContentType)
            && !file.ContentType.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Unsupported(file.ContentType));
        }
        var name = string.IsNullOrWhiteSpace(file.FileName) ? "uploaded file" : $"uploaded file '{file.FileName}'";
        await using var stream = file.OpenReadStream();
        return (await ReadStreamAsync(stream, file.Length, name, cancellationToken), null);
    }

    private static async Task<ImageUpload?> ReadStreamAsync(Stream body, long? declaredLength, string name, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(declaredLength ?? 64 * 1024, 1, ServiceLimits.MaxBodyBytes + 1));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > ServiceLimits.MaxBodyBytes)
                    {
                        throw new BadHttpRequestException("body too large", StatusCodes.Status413PayloadTooLarge);
                    }
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, ServiceLimits.MaxBodyBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }
                length += read;
                if (length > ServiceLimits.MaxBodyBytes)
                {
                    throw new BadHttpRequestException("body too large", StatusCodes.Status413PayloadTooLarge);
                }
            }
            var upload = new ImageUpload(buffer, length, name);
            buffer = null;
            return upload;
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private static bool IsImageType(string type) =>
        ImageTypes.Any(t => type.StartsWith(t, StringComparison.OrdinalIgnoreCase) && (type.Length == t.Length || type[t.Length] == ';'));

    /// <summary>Reads the rest of the body (up to Kestrel's cap) and discards it, then answers 413.</summary>
    private static async Task<IResult> TooLargeAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        await RequestBodyDrain.DrainAsync(request, cancellationToken);
        return TooLarge();
    }

    private static IResult TooLarge() => Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Image too large",
        detail: $"the request body is over the {ServiceLimits.MaxBodyBytes / 1024 / 1024} MB limit");

    private static IResult Unsupported(string? contentType) => Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported content type",
        detail: $"content type '{contentType}' is not accepted; send image/png or image/jpeg as the body, or multipart/form-data with an image file");
}
