using System.Net;
using System.Net.Http.Headers;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Endpoints;

/// <summary>GET /v1/model/file and the draw page's own files, as the browser fetches them.</summary>
public sealed class ModelFileEndpointTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_model_file_is_the_loaded_bytes_tagged_with_their_sha256_and_revalidated_on_every_use()
    {
        var path = LabelledTinyModels.Write(_dir.File("model.onnx"), "a");
        await using var service = await RunningService.StartAsync(path);
        var sha256 = service.Classifier.GetStatus().Version!.Sha256;

        using var response = await service.Client.GetAsync("/v1/model/file");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(await File.ReadAllBytesAsync(path), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"\"{sha256}\"", response.Headers.ETag?.Tag);
        Assert.True(response.Headers.CacheControl?.NoCache, "the file must be revalidated: a reload serves another under the same URL");

        using var revalidate = new HttpRequestMessage(HttpMethod.Get, "/v1/model/file");
        revalidate.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{sha256}\""));
        using var notModified = await service.Client.SendAsync(revalidate);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        using var head = await service.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v1/model/file"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(new FileInfo(path).Length, head.Content.Headers.ContentLength);
        Assert.Equal($"\"{sha256}\"", head.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task After_a_reload_the_file_and_its_etag_are_the_new_models_and_the_old_etag_no_longer_matches()
    {
        var path = LabelledTinyModels.Write(_dir.File("model.onnx"), "a");
        await using var service = await RunningService.StartAsync(path);
        var old = service.Classifier.GetStatus().Version!.Sha256;
        (await service.Client.GetAsync("/v1/model/file")).Dispose();

        LabelledTinyModels.Replace(path, "b");
        await Eventually.TrueAsync(() => service.Classifier.GetStatus().Version?.Generation == 2, "the service reloads the replaced file");
        using var revalidate = new HttpRequestMessage(HttpMethod.Get, "/v1/model/file");
        revalidate.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{old}\""));
        using var response = await service.Client.SendAsync(revalidate);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"\"{service.Classifier.GetStatus().Version!.Sha256}\"", response.Headers.ETag?.Tag);
        Assert.NotEqual($"\"{old}\"", response.Headers.ETag?.Tag);
        Assert.Equal(await File.ReadAllBytesAsync(path), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_file_replaced_on_disk_but_not_loaded_is_never_served_under_the_loaded_models_etag()
    {
        var path = LabelledTinyModels.Write(_dir.File("model.onnx"), "a");
        await using var service = await RunningService.StartAsync(path, ("Classifier:Reload:Enabled", "false"));

        LabelledTinyModels.Replace(path, "b");
        using var response = await service.Client.GetAsync("/v1/model/file");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("no longer holds the serving model", await response.Content.ReadAsStringAsync());
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
    }

    [Fact]
    public async Task The_page_and_its_modules_are_cross_origin_isolated_and_typed_for_the_browser()
    {
        await using var service = await RunningService.StartAsync(LabelledTinyModels.Write(_dir.File("model.onnx"), "a"));

        foreach (var (url, type) in new[] { ("/", "text/html"), ("/draw.mjs", "text/javascript"), ("/digit-framing.mjs", "text/javascript") })
        {
            using var response = await service.Client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("same-origin", response.Headers.GetValues("Cross-Origin-Opener-Policy").Single());
            Assert.Equal("require-corp", response.Headers.GetValues("Cross-Origin-Embedder-Policy").Single());
        }
        Assert.Equal("application/wasm", ContentTypeOf("x.wasm"));
        Assert.Equal("text/javascript; charset=utf-8", ContentTypeOf("x.mjs"));
        foreach (var url in new[] { "/ort/ort.all.min.mjs", "/ort/..%2Fcopy-ort.mjs", "/ort/package.json" })
        {
            using var response = await service.Client.GetAsync(url);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Fact]
    public async Task The_onnxruntime_web_files_are_served_with_their_types_when_make_web_has_run()
    {
        var wasm = Path.Combine(Service.Endpoints.DrawPage.OrtDirectory, "ort-wasm-simd-threaded.wasm");
        Assert.True(File.Exists(wasm), $"{wasm} is missing: run 'make web' (needs npm), or build the service where npm is present");
        await using var service = await RunningService.StartAsync(LabelledTinyModels.Write(_dir.File("model.onnx"), "a"));

        using var module = await service.Client.GetAsync("/ort/ort.wasm.min.mjs");
        using var binary = await service.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/ort/ort-wasm-simd-threaded.wasm"));

        Assert.Equal(HttpStatusCode.OK, module.StatusCode);
        Assert.Equal("text/javascript", module.Content.Headers.ContentType?.MediaType);
        Assert.Contains("ONNX Runtime Web v1.30.0", await module.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, binary.StatusCode);
        Assert.Equal("application/wasm", binary.Content.Headers.ContentType?.MediaType);
        Assert.Equal(new FileInfo(wasm).Length, binary.Content.Headers.ContentLength);
        Assert.Equal("require-corp", binary.Headers.GetValues("Cross-Origin-Embedder-Policy").Single());
    }

    private static string? ContentTypeOf(string name) =>
        Service.Endpoints.DrawPage.ContentTypes.TryGetContentType(name, out var type) ? type : null;
}
