using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Toolchain.Inference.AspNetCore;
using Toolchain.Inference.AspNetCore.Bodies;

namespace Toolchain.Inference.Service.Endpoints;

/// <summary>An uploaded image held in memory (see <see cref="RequestBody"/>); dispose it to give the memory back.</summary>
internal sealed class ImageUpload : IDisposable
{
    private static readonly string[] ImageTypes = ["image/png", "image/jpeg", "image/gif", "image/bmp", "image/webp"];

    private readonly RequestBody _body;

    private ImageUpload(RequestBody body, string name)
    {
        _body = body;
        Name = name;
    }

    public int Length => _body.Length;

    /// <summary>Names the image in error messages: "request body" or the uploaded file name.</summary>
    public string Name { get; }

    public ReadOnlySpan<byte> Bytes => _body.Span;

    public void Dispose() => _body.Dispose();

    /// <summary>
    /// Reads the image from a raw image body or the first file of a multipart form. Returns the upload, or an error
    /// result: 413 over <see cref="BodyLimits.MaxBodyBytes"/>, 415 for another content type or an encoding other than
    /// gzip or deflate, 400 for a form with no file or a body that cannot be read, 429 past the <see cref="BodyBudget"/>.
    /// </summary>
    public static async Task<(ImageUpload? Upload, IResult? Error)> ReadAsync(HttpRequest request, BodyBudget budget, CancellationToken cancellationToken)
    {
        var isForm = false;
        try
        {
            if (request.ContentLength > BodyLimits.MaxBodyBytes)
            {
                // Refused from the declared length before anything else: RequestBody drains it (unless the client asked to continue).
                using var refused = await RequestBody.ReadAsync(request, budget, cancellationToken);
            }
            if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || mediaType.MediaType.Value is not { } type)
            {
                return (null, Unsupported(request.ContentType));
            }
            isForm = type.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);
            if (!isForm && !IsImageType(type))
            {
                return (null, Unsupported(request.ContentType));
            }
            if (!isForm)
            {
                return (new ImageUpload(await RequestBody.ReadAsync(request, budget, cancellationToken), "request body"), null);
            }
            if (request.Headers.ContentEncoding.ToString().Trim() is { Length: > 0 } encoding && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
            {
                return (null, Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported content encoding",
                    detail: $"Content-Encoding '{ClientText.Echo(encoding)}' is not accepted on a multipart form; send the form as it is, or the image alone as gzip"));
            }
            return await ReadFormAsync(request, budget, cancellationToken);
        }
        catch (BodyRefusedException e)
        {
            if (e.StatusCode == StatusCodes.Status429TooManyRequests)
            {
                request.HttpContext.Response.Headers.RetryAfter = "1";
            }
            return (null, Results.Problem(statusCode: e.StatusCode, title: e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Image too large" : e.Title, detail: e.Message));
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
        title: "Malformed request body", detail: $"the request body cannot be read: {ClientText.Echo(reason)}");

    private static IResult MalformedForm(string reason) => Results.Problem(statusCode: StatusCodes.Status400BadRequest,
        title: "Malformed multipart form", detail: $"the multipart form cannot be read: {ClientText.Echo(reason)}");

    private static async Task<(ImageUpload?, IResult?)> ReadFormAsync(HttpRequest request, BodyBudget budget, CancellationToken cancellationToken)
    {
        var form = await request.ReadFormAsync(new FormOptions
        {
            MultipartBodyLengthLimit = BodyLimits.MaxBodyBytes,
            ValueCountLimit = 16,
            ValueLengthLimit = 4096,
            MultipartHeadersLengthLimit = 16 * 1024,
            BufferBodyLengthLimit = BodyLimits.MaxBodyBytes,
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
        var name = string.IsNullOrWhiteSpace(file.FileName) ? "uploaded file" : $"uploaded file '{ClientText.Echo(file.FileName)}'";
        await using var stream = file.OpenReadStream();
        return (new ImageUpload(await RequestBody.ReadAsync(stream, file.Length, budget, cancellationToken), name), null);
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
        detail: BodyRefusedException.TooLarge().Message);

    private static IResult Unsupported(string? contentType) => Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported content type",
        detail: $"content type '{ClientText.Echo(contentType)}' is not accepted; send {string.Join(", ", ImageTypes)} as the body, or multipart/form-data with an image file");
}
