using System.Net;
using Toolchain.Inference.Service.Tests.Metrics;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Endpoints;

public sealed class ConcurrentClassifyTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_thousand_concurrent_requests_each_get_their_own_correct_answer(bool batching)
    {
        await using var service = await RunningService.StartAsync(LabelledTinyModels.Write(_dir.File("model.onnx"), "digit "),
            ("Classifier:Batching:Enabled", batching ? "true" : "false"),
            ("Classifier:Batching:MaxQueueDelayMicroseconds", "500"));
        var pngs = Enumerable.Range(0, 10).Select(LabelledTinyModels.Png).ToArray();
        var labels = Enumerable.Range(0, 1000).Select(i => (i * 37 + (i / 10)) % 10).ToArray();
        var version = service.Classifier.GetStatus().Version!.Id;

        var answers = await Task.WhenAll(labels.Select(async label =>
        {
            using var response = await service.PostImageAsync(pngs[label]);
            var json = await RunningService.JsonAsync(response);
            return (response.StatusCode, Label: json.GetProperty("label").GetString(), Version: json.GetProperty("model_version").GetString());
        }));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Equal(labels.Select(l => $"digit {l}"), answers.Select(a => a.Label));
        Assert.All(answers, a => Assert.Equal(version, a.Version));
        var metrics = await Scrape.AfterClassifyRequestsAsync(service.Client, 1000);
        Assert.Equal(1000, metrics.Value("http_server_request_duration_seconds_count",
            ("http_route", "/v1/classify"), ("http_request_method", "POST"), ("http_response_status_code", "200")));
        if (batching)
        {
            // Every request ran in some batch, and concurrency made some batches hold more than one.
            Assert.Equal(1000, metrics.Value("toolchain_inference_batch_size_sum"));
            Assert.InRange(metrics.Value("toolchain_inference_batch_size_count"), 1, 999);
        }
        else
        {
            Assert.Empty(metrics.All("toolchain_inference_batch_size_count"));
            Assert.Equal(0, metrics.Value("toolchain_inference_queue_length"));
        }
    }
}
