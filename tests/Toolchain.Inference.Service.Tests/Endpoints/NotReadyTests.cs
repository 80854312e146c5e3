using System.Net;
using System.Text.Json;
using Toolchain.Inference.Hosting;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Endpoints;

public sealed class NotReadyTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Without_a_model_the_service_is_live_but_not_ready_and_classify_answers_503_until_the_file_appears()
    {
        var path = _dir.File("model.onnx");
        await using var service = await RunningService.StartAsync(path);

        using var health = await service.Client.GetAsync("/healthz");
        using var ready = await service.Client.GetAsync("/readyz");
        using var classify = await service.PostImageAsync(LabelledTinyModels.Png(1));
        using var model = await service.Client.GetAsync("/v1/model");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("no such file", await ready.Content.ReadAsStringAsync());
        await ClassifyEndpointTests.AssertProblemAsync(classify, HttpStatusCode.ServiceUnavailable, path);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, model.StatusCode);

        var loaded = new TaskCompletionSource<ModelVersion>(TaskCreationOptions.RunContinuationsAsynchronously);
        service.Classifier.ModelChanged += v => loaded.TrySetResult(v);
        LabelledTinyModels.Replace(path, "late ");
        Assert.Equal(1, (await loaded.Task.WaitAsync(TimeSpan.FromSeconds(30))).Generation);
        using var readyLater = await service.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, readyLater.StatusCode);
    }

    [Fact]
    public async Task While_the_first_load_runs_the_service_is_up_but_not_ready_and_classify_answers_503_at_once()
    {
        using var stalled = new StalledModelFile(_dir.File("model.onnx"));
        await using var service = await RunningService.StartWithoutWaitingAsync(stalled.Path);

        using var health = await service.Client.GetAsync("/healthz");
        using var ready = await service.Client.GetAsync("/readyz");
        using var classify = await service.PostImageAsync(LabelledTinyModels.Png(1));
        // The protocol's health answers: 200 is true, 4xx false (never 5xx); the model is named by the file's stem.
        using var serverReady = await service.Client.GetAsync("/v2/health/ready");
        using var modelReady = await service.Client.GetAsync("/v2/models/model/ready");

        Assert.Equal(HttpStatusCode.BadRequest, serverReady.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, modelReady.StatusCode);
        Assert.False(JsonDocument.Parse(await modelReady.Content.ReadAsStringAsync()).RootElement.GetProperty("ready").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        // The reason tells an operator why: still loading, not shutting down.
        Assert.Contains("loading", await ready.Content.ReadAsStringAsync());
        await ClassifyEndpointTests.AssertProblemAsync(classify, HttpStatusCode.ServiceUnavailable, $"{stalled.Path} is still loading");
        await stalled.ReleaseAsync();
        await service.Classifier.StartAsync();
        using var failed = await service.Client.GetAsync("/readyz");
        Assert.Contains("named pipe", await failed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_model_that_cannot_classify_images_never_makes_the_service_ready()
    {
        var path = TinyOnnxModels.WriteBinary(_dir.File("xor.onnx"));
        await using var service = await RunningService.StartAsync(path);

        using var ready = await service.Client.GetAsync("/readyz");
        using var classify = await service.PostImageAsync(LabelledTinyModels.Png(1));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("is not a 28×28 single-channel image", await ready.Content.ReadAsStringAsync());
        await ClassifyEndpointTests.AssertProblemAsync(classify, HttpStatusCode.ServiceUnavailable, "not a 28×28");
    }
}
