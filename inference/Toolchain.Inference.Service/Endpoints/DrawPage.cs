using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace Toolchain.Inference.Service.Endpoints;

/// <summary>
/// GET /: the draw-a-digit page and its modules, embedded in the assembly (no front-end build), and GET /ort/{file}:
/// onnxruntime-web's plain WASM backend, which <c>make web</c> (or the service build, where npm is present) copies
/// next to the service. Every response here is cross-origin isolated so the WASM backend may use threads.
/// </summary>
internal static class DrawPage
{
    /// <summary>Where the service looks for onnxruntime-web's files: web/ort beside the service's assembly.</summary>
    public static readonly string OrtDirectory = Path.Combine(AppContext.BaseDirectory, "web", "ort");

    /// <summary>The files the page's WASM backend loads; nothing else under <see cref="OrtDirectory"/> is served.</summary>
    public static readonly FrozenSet<string> OrtFiles = FrozenSet.Create(StringComparer.Ordinal,
        "ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm");

    /// <summary>
    /// Content types by extension. ASP.NET Core's own map knows .wasm but not .mjs; browsers refuse to run a module
    /// or compile WASM streaming from any other type.
    /// </summary>
    public static readonly FileExtensionContentTypeProvider ContentTypes = CreateContentTypes();

    private static readonly FrozenDictionary<string, Asset> Assets = new[]
    {
        ("/", "index.html"),
        ("/draw.mjs", "draw.mjs"),
        ("/digit-framing.mjs", "digit-framing.mjs"),
    }.ToFrozenDictionary(p => p.Item1, p => Asset.Load(p.Item2));

    /// <summary>Maps the page, its modules and the onnxruntime-web files (GET and HEAD).</summary>
    public static void MapDrawPage(this IEndpointRouteBuilder app)
    {
        string[] getAndHead = [HttpMethods.Get, HttpMethods.Head];
        foreach (var path in Assets.Keys)
        {
            var asset = Assets[path];
            app.MapMethods(path, getAndHead, (HttpContext context) => ServeAsset(context, asset));
        }
        app.MapMethods("/ort/{file}", getAndHead, ServeOrt);
    }

    private static IResult ServeAsset(HttpContext context, Asset asset)
    {
        Isolate(context.Response);
        context.Response.Headers.CacheControl = "no-cache";
        return Results.Bytes(asset.Bytes, asset.ContentType, entityTag: asset.ETag);
    }

    private static IResult ServeOrt(HttpContext context, string file)
    {
        Isolate(context.Response);
        if (!OrtFiles.Contains(file))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                detail: $"/ort/ serves only {string.Join(", ", OrtFiles)}");
        }
        var path = Path.Combine(OrtDirectory, file);
        if (!File.Exists(path))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "onnxruntime-web is not installed",
                detail: $"{file} is not in {OrtDirectory}: run 'make web' (needs npm); the page classifies on the server only");
        }
        context.Response.Headers.CacheControl = "no-cache";
        ContentTypes.TryGetContentType(file, out var contentType);
        var info = new FileInfo(path);
        return Results.File(path, contentType, lastModified: info.LastWriteTimeUtc,
            entityTag: new EntityTagHeaderValue($"\"{info.Length:x}-{info.LastWriteTimeUtc.Ticks:x}\""));
    }

    /// <summary>
    /// COOP same-origin and COEP require-corp make the page cross-origin isolated (SharedArrayBuffer, hence WASM
    /// threads); CORP same-origin lets the isolated page and its workers load these files.
    /// </summary>
    private static void Isolate(HttpResponse response)
    {
        response.Headers["Cross-Origin-Opener-Policy"] = "same-origin";
        response.Headers["Cross-Origin-Embedder-Policy"] = "require-corp";
        response.Headers["Cross-Origin-Resource-Policy"] = "same-origin";
        response.Headers.XContentTypeOptions = "nosniff";
    }

    private static FileExtensionContentTypeProvider CreateContentTypes()
    {
        var provider = new FileExtensionContentTypeProvider();
        provider.Mappings[".mjs"] = "text/javascript; charset=utf-8";
        provider.Mappings[".js"] = "text/javascript; charset=utf-8";
        provider.Mappings[".wasm"] = "application/wasm";
        provider.Mappings[".html"] = "text/html; charset=utf-8";
        return provider;
    }

    private sealed record Asset(byte[] Bytes, string ContentType, EntityTagHeaderValue ETag)
    {
        public static Asset Load(string name)
        {
            using var stream = typeof(DrawPage).Assembly.GetManifestResourceStream("Toolchain.Inference.Service.Page." + name)
                ?? throw new InvalidOperationException($"the page resource {name} is missing from the assembly");
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            ContentTypes.TryGetContentType(name, out var contentType);
            return new Asset(bytes, contentType ?? "application/octet-stream",
                new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\""));
        }
    }
}
