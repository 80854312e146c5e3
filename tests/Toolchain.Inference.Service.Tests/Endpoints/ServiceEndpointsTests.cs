using System.Net;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Endpoints;

public sealed class ServiceEndpointsTests : TinyModelServiceTests
{
    [Fact]
    public async Task Healthz_and_readyz_answer_200_once_the_model_is_loaded()
    {
        using var health = await Service.Client.GetAsync("/healthz");
        using var ready = await Service.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready\n", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_model_endpoint_returns_the_card_version_provider_and_batching_settings()
    {
        var json = await RunningService.JsonAsync(await Service.Client.GetAsync("/v1/model"));

        var version = Service.Classifier.Models.Version!;
        Assert.Equal(version.Id, json.GetProperty("model_version").GetString());
        Assert.Equal(version.Sha256, json.GetProperty("sha256").GetString());
        Assert.Equal("CPU", json.GetProperty("provider").GetString());
        Assert.Equal("raw", json.GetProperty("preprocessing").GetString());
        var card = json.GetProperty("card");
        Assert.Equal("multiclass", card.GetProperty("task").GetString());
        Assert.Equal("digit 9", card.GetProperty("labels")[9].GetString());
        Assert.Equal(0.1307, card.GetProperty("mean").GetDouble());
        Assert.Equal("flatten,linear(10)", card.GetProperty("architecture").GetString());
        Assert.Equal([-1, 1, 28, 28], json.GetProperty("info").GetProperty("input_shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.True(json.GetProperty("batching").GetProperty("enabled").GetBoolean());
        Assert.Equal(64, json.GetProperty("batching").GetProperty("max_batch_size").GetInt32());
        Assert.Equal(2, json.GetProperty("batching").GetProperty("instances").GetInt32());
        Assert.Equal(1, json.GetProperty("intra_op_threads").GetInt32());
    }

    [Fact]
    public async Task Metrics_are_prometheus_text_with_request_counters_latency_and_batch_size_histograms()
    {
        for (var i = 0; i < 3; i++)
        {
            (await Service.PostImageAsync(LabelledTinyModels.Png(i))).Dispose();
        }
        (await Service.PostImageAsync([1, 2, 3])).Dispose();

        using var response = await Service.Client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("0.0.4", response.Content.Headers.ContentType?.Parameters.Single(p => p.Name == "version").Value);
        Assert.Contains("# TYPE toolchain_http_requests_total counter\n", text);
        Assert.Equal(3, ConcurrentClassifyTests.Sample(text, "toolchain_http_requests_total{route=\"/v1/classify\",method=\"POST\",status=\"200\"}"));
        Assert.Equal(1, ConcurrentClassifyTests.Sample(text, "toolchain_http_requests_total{route=\"/v1/classify\",method=\"POST\",status=\"400\"}"));
        Assert.Contains("# TYPE toolchain_http_request_duration_seconds histogram\n", text);
        Assert.Equal(4, ConcurrentClassifyTests.Sample(text, "toolchain_http_request_duration_seconds_bucket{route=\"/v1/classify\",le=\"+Inf\"}"));
        Assert.Equal(4, ConcurrentClassifyTests.Sample(text, "toolchain_http_request_duration_seconds_count{route=\"/v1/classify\"}"));
        Assert.Contains("# TYPE toolchain_inference_batch_size histogram\n", text);
        Assert.Equal(3, ConcurrentClassifyTests.Sample(text, "toolchain_inference_batch_size_sum"));
        Assert.Equal(ConcurrentClassifyTests.Sample(text, "toolchain_inference_batch_size_count"),
            ConcurrentClassifyTests.Sample(text, "toolchain_inference_batch_size_bucket{le=\"+Inf\"}"));
        Assert.Equal(1, ConcurrentClassifyTests.Sample(text, "toolchain_model_ready"));
        Assert.Equal(1, ConcurrentClassifyTests.Sample(text,
            $"toolchain_model_info{{version=\"{Service.Classifier.Models.Version!.Id}\",generation=\"1\"}}"));
        Assert.True(ConcurrentClassifyTests.Sample(text, "process_resident_memory_bytes") > 0);
        // Every line is a comment or "name{labels} value".
        Assert.All(text.TrimEnd('\n').Split('\n'), line => Assert.Matches(@"^(# (HELP|TYPE) \w+ .+|\w+(\{.*\})? [-+0-9.eEInfNa]+)$", line));
    }

    [Fact]
    public async Task The_root_serves_the_draw_page_with_a_canvas_and_a_clear_button()
    {
        using var response = await Service.Client.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<canvas id=\"pad\"", html);
        Assert.Contains("id=\"clear\"", html);
        Assert.Contains("pointermove", html);
        Assert.Contains("/v1/classify", html);
    }
}
