using System.Net;
using Toolchain.Inference.Service.Tests.Metrics;
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
        Assert.Equal("ok\n", await health.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready\n", await ready.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", ready.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_model_endpoint_returns_the_card_version_provider_and_batching_settings()
    {
        var json = await RunningService.JsonAsync(await Service.Client.GetAsync("/v1/model"));

        var version = Service.Classifier.GetStatus().Version!;
        Assert.Equal(version.Id, json.GetProperty("model_version").GetString());
        Assert.Equal(version.Sha256, json.GetProperty("sha256").GetString());
        Assert.Equal("cpu", json.GetProperty("provider").GetString());
        Assert.Equal("none", json.GetProperty("preprocessing").GetString());
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
    public async Task Metrics_are_prometheus_text_with_request_latency_batch_size_model_state_and_memory()
    {
        for (var i = 0; i < 3; i++)
        {
            (await Service.PostImageAsync(LabelledTinyModels.Png(i))).Dispose();
        }
        (await Service.PostImageAsync([1, 2, 3])).Dispose();
        await Scrape.AfterClassifyRequestsAsync(Service.Client, 4);

        using var response = await Service.Client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        var metrics = await Scrape.OfAsync(Service.Client);

        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("0.0.4", response.Content.Headers.ContentType?.Parameters.Single(p => p.Name == "version").Value);
        (string, string)[] classify = [("http_route", "/v1/classify"), ("http_request_method", "POST")];
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram\n", text);
        Assert.Equal(3, metrics.Value("http_server_request_duration_seconds_count", [.. classify, ("http_response_status_code", "200")]));
        Assert.Equal(1, metrics.Value("http_server_request_duration_seconds_count", [.. classify, ("http_response_status_code", "400")]));
        Assert.Equal(3, metrics.Value("http_server_request_duration_seconds_bucket", [.. classify, ("http_response_status_code", "200"), ("le", "+Inf")]));
        Assert.Contains("# TYPE toolchain_inference_batch_size histogram\n", text);
        Assert.Equal(3, metrics.Value("toolchain_inference_batch_size_sum"));
        Assert.Equal(metrics.Value("toolchain_inference_batch_size_count"), metrics.Value("toolchain_inference_batch_size_bucket", ("le", "+Inf")));
        Assert.Equal(metrics.Value("toolchain_inference_batch_size_count"), metrics.Value("toolchain_inference_batch_duration_seconds_count"));
        // Counters and histograms are exported from their first measurement on; nothing was refused yet.
        Assert.Empty(metrics.All("toolchain_inference_queue_rejections_total"));
        Assert.Equal(0, metrics.Value("toolchain_inference_queue_length"));
        Assert.Equal(1, metrics.Value("toolchain_model_ready"));
        Assert.Equal(1, metrics.Value("toolchain_model_info", ("version", Service.Classifier.GetStatus().Version!.Id), ("generation", "1")));
        Assert.Equal(0, metrics.Value("toolchain_model_reloads_total"));
        Assert.Equal(0, metrics.Value("toolchain_model_reload_failures_total"));
        Assert.Equal(1, metrics.Value("toolchain_model_sessions"));
        Assert.True(metrics.Value("dotnet_process_memory_working_set_bytes") > 0);
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
        Assert.Contains("src=\"/draw.mjs\"", html);
        var script = await Service.Client.GetStringAsync("/draw.mjs");
        Assert.Contains("pointermove", script);
        Assert.Contains("/v1/classify", script);
        Assert.Contains("/v1/model/file", script);
    }
}
