using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;
using Toolchain.Inference.Hosting;

namespace Toolchain.Inference.Service.Endpoints;

/// <summary>
/// GET /v1/model/file: the serving model's ONNX bytes, for the draw page to run the same file in the browser.
/// The ETag is the loaded model's SHA-256, so a client revalidating with If-None-Match gets 304 until a reload.
/// </summary>
internal static class ModelFileEndpoint
{
    // The bytes of the serving version, kept so that a file replaced on disk before its reload has finished (or one
    // that failed to load) never goes out under the old version's ETag. One entry: the service serves one model.
    private static readonly Lock Gate = new();
    private static (string Path, string Sha256, byte[] Bytes)? _cached;

    public static async Task<IResult> HandleAsync(HttpContext context, OnnxClassifier classifier)
    {
        var status = classifier.GetStatus();
        if (status.Version is not { } version)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Model not ready",
                detail: $"no model is loaded yet: {status.LastFailure ?? $"{status.ModelPath} is still loading"}");
        }
        var etag = new EntityTagHeaderValue($"\"{version.Sha256}\"");
        // Revalidate on every use: the same URL serves a different file after a hot reload.
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        var bytes = Cached(status.ModelPath, version.Sha256);
        if (bytes is null && !IsNotModified(context.Request, etag))
        {
            bytes = await ReadVersionAsync(status.ModelPath, version.Sha256, context.RequestAborted);
            if (bytes is null)
            {
                context.Response.Headers.RetryAfter = "1";
                return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Model file changed",
                    detail: $"{status.ModelPath} no longer holds the serving model {version.Id}; a reload is pending");
            }
        }
        // Results.Bytes answers If-None-Match with 304 and Range with 206 from the same tag.
        return Results.Bytes(bytes ?? [], "application/octet-stream", entityTag: etag);
    }

    private static bool IsNotModified(HttpRequest request, EntityTagHeaderValue etag) =>
        EntityTagHeaderValue.TryParseList(request.Headers.IfNoneMatch, out var tags)
        && tags.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(etag, useStrongComparison: false));

    private static byte[]? Cached(string path, string sha256)
    {
        lock (Gate)
        {
            return _cached is { } c && c.Path == path && c.Sha256 == sha256 ? c.Bytes : null;
        }
    }

    /// <summary>The file's bytes when they are the loaded version's, else null.</summary>
    private static async Task<byte[]?> ReadVersionAsync(string path, string sha256, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        if (!Convert.ToHexStringLower(SHA256.HashData(bytes)).Equals(sha256, StringComparison.Ordinal))
        {
            return null;
        }
        lock (Gate)
        {
            _cached = (path, sha256, bytes);
        }
        return bytes;
    }
}
