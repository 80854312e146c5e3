using System.Net;

namespace Toolchain.Inference.Service.Tests.Lifecycle;

/// <summary>The Open Inference Protocol's health endpoints: the status code is the answer, the body is empty.</summary>
public sealed class ProtocolHealthTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Live_and_ready_answer_200_with_empty_bodies_once_the_model_is_loaded()
    {
        await using var service = await RunningService.StartAsync(Toolchain.TestSupport.LabelledTinyModels.Write(_dir.File("model.onnx"), "digit "));

        using var live = await service.Client.GetAsync(ServiceHealth.LivePath);
        using var ready = await service.Client.GetAsync(ServiceHealth.ReadyPath);
        using var head = await service.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, ServiceHealth.ReadyPath));

        Assert.Equal((HttpStatusCode.OK, ""), (live.StatusCode, await live.Content.ReadAsStringAsync()));
        Assert.Equal((HttpStatusCode.OK, ""), (ready.StatusCode, await ready.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
    }

    [Fact]
    public async Task Without_a_model_the_service_is_live_and_not_ready_which_the_protocol_answers_with_400()
    {
        await using var service = await RunningService.StartAsync(_dir.File("missing.onnx"));

        using var live = await service.Client.GetAsync(ServiceHealth.LivePath);
        using var ready = await service.Client.GetAsync(ServiceHealth.ReadyPath);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal((HttpStatusCode.BadRequest, ""), (ready.StatusCode, await ready.Content.ReadAsStringAsync()));
    }
}
