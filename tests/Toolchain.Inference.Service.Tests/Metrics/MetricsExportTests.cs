using System.Net;
using Toolchain.Inference.Hosting;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Metrics;

/// <summary>What the OpenTelemetry Prometheus exporter shows on /metrics after the service has done something.</summary>
public sealed class MetricsExportTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private Task<RunningService> StartAsync(string name = "model.onnx", string labels = "digit ") =>
        RunningService.StartAsync(LabelledTinyModels.Write(_dir.File(name), labels), ("Classifier:Batching:MaxQueueDelayMicroseconds", "0"));

    [Fact]
    public async Task A_classify_is_counted_in_the_request_duration_histogram_under_its_route_template_not_its_url()
    {
        await using var service = await StartAsync();

        using var response = await service.PostImageAsync(LabelledTinyModels.Png(3), query: "?top_k=2");
        var metrics = await Scrape.AfterClassifyRequestsAsync(service.Client, 1);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        (string, string)[] classify = [("http_route", "/v1/classify"), ("http_request_method", "POST"), ("http_response_status_code", "200")];
        Assert.Equal(1, metrics.Value("http_server_request_duration_seconds_count", classify));
        Assert.Equal(1, metrics.Value("http_server_request_duration_seconds_bucket", [.. classify, ("le", "+Inf")]));
        Assert.InRange(metrics.Value("http_server_request_duration_seconds_sum", classify), double.Epsilon, 60);
        Assert.DoesNotContain(metrics.Samples, s => s.Labels.Values.Any(v => v.Contains("top_k", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_batched_request_is_counted_in_the_batch_size_and_batch_duration_histograms()
    {
        await using var service = await StartAsync();
        var before = await Scrape.OfAsync(service.Client);

        using var response = await service.PostImageAsync(LabelledTinyModels.Png(4));
        var after = await Scrape.OfAsync(service.Client);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(before.All("toolchain_inference_batch_size_count"));
        Assert.Equal(1, after.Value("toolchain_inference_batch_size_count"));
        Assert.Equal(1, after.Value("toolchain_inference_batch_size_sum"));
        Assert.Equal(1, after.Value("toolchain_inference_batch_size_bucket", ("le", "1")));
        Assert.Equal(1, after.Value("toolchain_inference_batch_duration_seconds_count"));
    }

    [Fact]
    public async Task After_a_reload_the_model_info_names_only_the_new_version()
    {
        var path = LabelledTinyModels.Write(_dir.File("model.onnx"), "old ");
        await using var service = await RunningService.StartAsync(path);
        var oldVersion = service.Classifier.GetStatus().Version!.Id;
        var changed = new TaskCompletionSource<ModelVersion>(TaskCreationOptions.RunContinuationsAsynchronously);
        service.Classifier.ModelChanged += version => changed.TrySetResult(version);
        (await Scrape.OfAsync(service.Client)).Value("toolchain_model_info", ("version", oldVersion));

        File.Move(LabelledTinyModels.Write(_dir.File("new.onnx.next"), "new "), path, overwrite: true);
        var version = await changed.Task.WaitAsync(Timeout);
        var metrics = await Scrape.OfAsync(service.Client);

        Assert.NotEqual(oldVersion, version.Id);
        var info = Assert.Single(metrics.All("toolchain_model_info"));
        Assert.Equal(version.Id, info.Labels["version"]);
        Assert.Equal("2", info.Labels["generation"]);
        Assert.Equal(1, metrics.Value("toolchain_model_reloads_total"));
    }

    [Fact]
    public async Task Two_services_in_one_process_each_show_only_their_own_requests_and_model()
    {
        // Meters of the same name are process-wide; each host must still export only what its own factory made.
        await using var first = await StartAsync("first.onnx", "first ");
        await using var second = await StartAsync("second.onnx", "second ");

        for (var i = 0; i < 3; i++)
        {
            (await first.PostImageAsync(LabelledTinyModels.Png(i))).Dispose();
        }
        (await second.PostImageAsync(LabelledTinyModels.Png(5))).Dispose();
        var firstMetrics = await Scrape.AfterClassifyRequestsAsync(first.Client, 3);
        var secondMetrics = await Scrape.AfterClassifyRequestsAsync(second.Client, 1);

        (string, string)[] classify = [("http_route", "/v1/classify"), ("http_response_status_code", "200")];
        Assert.Equal(3, firstMetrics.Value("http_server_request_duration_seconds_count", classify));
        Assert.Equal(1, secondMetrics.Value("http_server_request_duration_seconds_count", classify));
        Assert.Equal(3, firstMetrics.Value("toolchain_inference_batch_size_sum"));
        Assert.Equal(1, secondMetrics.Value("toolchain_inference_batch_size_sum"));
        Assert.Equal(first.Classifier.GetStatus().Version!.Id, Assert.Single(firstMetrics.All("toolchain_model_info")).Labels["version"]);
        Assert.Equal(second.Classifier.GetStatus().Version!.Id, Assert.Single(secondMetrics.All("toolchain_model_info")).Labels["version"]);
    }
}
