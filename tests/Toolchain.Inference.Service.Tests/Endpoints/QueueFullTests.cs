using System.Net;
using Microsoft.Extensions.Time.Testing;
using Toolchain.Inference.Service.Tests.Metrics;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Endpoints;

public sealed class QueueFullTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_request_beyond_the_queue_capacity_gets_429_with_retry_after_while_admitted_ones_succeed()
    {
        // The first request holds its batch open for a second of a clock that only the test moves, so the queue stays
        // full while the third one arrives.
        var time = new FakeTimeProvider();
        await using var service = await RunningService.StartAsync(LabelledTinyModels.Write(_dir.File("model.onnx"), "digit "), time,
            ("Classifier:Batching:QueueCapacity", "2"),
            ("Classifier:Batching:MaxQueueDelayMicroseconds", "1000000"));
        var admitted = new[] { service.PostImageAsync(LabelledTinyModels.Png(1)), service.PostImageAsync(LabelledTinyModels.Png(2)) };
        await Eventually.TrueAsync(() => service.Classifier.GetStatus().Batching.QueueLength == 2, "both requests are queued");

        using var refused = await service.PostImageAsync(LabelledTinyModels.Png(3));

        await ClassifyEndpointTests.AssertProblemAsync(refused, HttpStatusCode.TooManyRequests, "queue is full");
        Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
        time.Advance(TimeSpan.FromSeconds(1));
        foreach (var response in await Task.WhenAll(admitted))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }
        var metrics = await Scrape.OfAsync(service.Client);
        Assert.Equal(1, metrics.Value("toolchain_inference_queue_rejections_total"));
    }
}
