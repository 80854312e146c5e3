using System.Net;
using Microsoft.Extensions.Time.Testing;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Endpoints;

public sealed class ClientCancellationTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Clients_that_give_up_while_their_batch_fills_leave_the_queue_empty_and_the_service_serving()
    {
        // Batches wait up to 10 s to fill on a clock only the test could move (it never does), so every client below hangs
        // up while its request is still queued, and the slots must come back without the batch ever running. A real socket:
        // the hang-up is a closed connection, as a real client's is.
        await using var service = await RunningService.StartOnSocketAsync(LabelledTinyModels.Write(_dir.File("model.onnx"), "digit "), new FakeTimeProvider(),
            ("Classifier:Batching:MaxQueueDelayMicroseconds", "10000000"));
        using var giveUp = new CancellationTokenSource();
        var abandoned = Enumerable.Range(0, 20).Select(i =>
        {
            var content = new ByteArrayContent(LabelledTinyModels.Png(i % 10));
            content.Headers.ContentType = new("image/png");
            return service.Client.PostAsync("/v1/classify", content, giveUp.Token);
        }).ToArray();
        await Eventually.TrueAsync(() => service.Classifier.GetStatus().Batching.QueueLength == 20, "all 20 requests are queued");

        giveUp.Cancel();

        foreach (var request in abandoned)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);
        }
        await Eventually.TrueAsync(() => service.Classifier.GetStatus().Batching.QueueLength == 0, "the abandoned requests' slots are free");
        // A full batch (64, the default maximum) runs without waiting out the delay.
        var after = await Task.WhenAll(Enumerable.Range(0, 64).Select(async i =>
        {
            using var response = await service.PostImageAsync(LabelledTinyModels.Png(i % 10));
            return (response.StatusCode, Label: (await RunningService.JsonAsync(response)).GetProperty("label").GetString() ?? "");
        }));
        Assert.Equal(Enumerable.Range(0, 64).Select(i => (HttpStatusCode.OK, $"digit {i % 10}")), after.Select(a => (a.StatusCode, a.Label)));
    }
}
