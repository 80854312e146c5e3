using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Toolchain.Inference.Service.Lifecycle;
using Toolchain.Inference.Service.Tests.Metrics;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Lifecycle;

/// <summary>SIGTERM to the real process: not ready at once, still serving through the drain, nothing in flight lost, exit 0.</summary>
public sealed class GracefulShutdownTests : IDisposable
{
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(2);
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Sigterm_turns_not_ready_at_once_serves_through_the_drain_finishes_batched_requests_and_exits_0()
    {
        // A model slow enough (a tenth of a second or more per image) that requests are still queued when the signal comes.
        var model = TinyOnnxModels.WriteSlowChain(_dir.File("slow.onnx"), layers: 4000);
        await using var service = await ServiceProcess.StartBuiltAsync(
            "--model", model, "--Classifier:Provider", "Cpu", "--Classifier:IntraOpThreads", "1",
            "--Classifier:Batching:MaxBatchSize", "2", "--Classifier:Batching:Instances", "1",
            "--Shutdown:Drain", Drain.ToString(), "--Shutdown:RequestTimeout", "00:00:20");
        await service.WaitForStatusAsync(ServiceHealth.ReadyPath, 200);
        var png = LabelledTinyModels.Png(3);

        const int inFlight = 16;
        var before = Enumerable.Range(0, inFlight).Select(_ => PostAsync(service.Client, png)).ToList();
        // Half of them admitted is enough to signal: the rest arrive during the drain, which must answer them too.
        await WaitForQueueAsync(service.Client, inFlight / 2);
        var signalled = Stopwatch.StartNew();
        service.Terminate();

        await service.WaitForStatusAsync(ServiceHealth.ReadyPath, 400);
        var notReadyAfter = signalled.Elapsed;
        using (var live = await service.Client.GetAsync(ServiceHealth.LivePath))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }
        using (var readyz = await service.Client.GetAsync(ServiceHealth.ReadyzPath))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, readyz.StatusCode);
            // The reason tells an operator why: draining, not still loading.
            Assert.Contains("shutting down", await readyz.Content.ReadAsStringAsync());
        }
        // A request that arrives during the drain (a load balancer that has not noticed yet) is still answered.
        var during = await PostAsync(service.Client, png);
        var exitCode = await service.ExitCodeAsync(TimeSpan.FromSeconds(30));
        var stoppedAfter = signalled.Elapsed;

        Assert.True(notReadyAfter < Drain, $"not ready only after {notReadyAfter}");
        Assert.Equal(HttpStatusCode.OK, during.Status);
        Assert.Equal("close", during.Connection);
        var answered = await Task.WhenAll(before);
        Assert.All(answered, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Equal(0, exitCode);
        Assert.True(stoppedAfter >= Drain, $"stopped after {stoppedAfter}, before the {Drain} drain");
        Assert.True(stoppedAfter < Drain + TimeSpan.FromSeconds(20), $"stopped only after {stoppedAfter}");
        Assert.Contains("stopping: not ready, serving for 2 s more", service.Output);
        Assert.DoesNotContain("   at ", service.Output);
    }

    private static async Task<(HttpStatusCode Status, string? Connection)> PostAsync(HttpClient client, byte[] png)
    {
        var content = new ByteArrayContent(png);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        using var response = await client.PostAsync("/v1/classify", content);
        return (response.StatusCode, response.Headers.Connection.FirstOrDefault());
    }

    private static Task WaitForQueueAsync(HttpClient client, int count) =>
        Eventually.TrueAsync(
            async () => (await Scrape.OfAsync(client)).All("toolchain_inference_queue_length").Sum(s => s.Value) >= count,
            $"the service holds {count} requests");
}
