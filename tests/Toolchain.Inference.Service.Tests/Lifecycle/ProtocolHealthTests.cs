using System.Net;
using Grpc.Health.V1;
using Inference;

namespace Toolchain.Inference.Service.Tests.Lifecycle;

/// <summary>
/// The Open Inference Protocol's health endpoints: the status code is the answer (200, or 400 for false), with the
/// protocol's JSON body that KServe's Python client parses; gRPC's ServerLive, ServerReady and ModelReady and the
/// standard grpc.health.v1 service agree with them.
/// </summary>
public sealed class ProtocolHealthTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Live_and_ready_answer_200_with_the_protocols_json_once_the_model_is_loaded()
    {
        await using var service = await RunningService.StartAsync(Toolchain.TestSupport.LabelledTinyModels.Write(_dir.File("model.onnx"), "digit "));

        using var live = await service.Client.GetAsync(ServiceHealth.LivePath);
        using var ready = await service.Client.GetAsync(ServiceHealth.ReadyPath);
        using var head = await service.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, ServiceHealth.ReadyPath));

        Assert.Equal((HttpStatusCode.OK, """{"live":true}"""), (live.StatusCode, await live.Content.ReadAsStringAsync()));
        Assert.Equal((HttpStatusCode.OK, """{"ready":true}"""), (ready.StatusCode, await ready.Content.ReadAsStringAsync()));
        Assert.Equal("application/json", ready.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        using var channel = service.CreateGrpcChannel();
        var grpc = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        Assert.True((await grpc.ServerLiveAsync(new ServerLiveRequest())).Live);
        Assert.True((await grpc.ServerReadyAsync(new ServerReadyRequest())).Ready);
        Assert.True((await grpc.ModelReadyAsync(new ModelReadyRequest { Name = "model" })).Ready);
        var health = new Health.HealthClient(channel);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
    }

    [Fact]
    public async Task Without_a_model_the_service_is_live_and_not_ready_over_rest_and_grpc_alike()
    {
        await using var service = await RunningService.StartAsync(_dir.File("missing.onnx"));

        using var live = await service.Client.GetAsync(ServiceHealth.LivePath);
        using var ready = await service.Client.GetAsync(ServiceHealth.ReadyPath);
        using var modelReady = await service.Client.GetAsync("/v2/models/missing/ready");

        Assert.Equal((HttpStatusCode.OK, """{"live":true}"""), (live.StatusCode, await live.Content.ReadAsStringAsync()));
        Assert.Equal((HttpStatusCode.BadRequest, """{"ready":false}"""), (ready.StatusCode, await ready.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.BadRequest, modelReady.StatusCode);
        using var channel = service.CreateGrpcChannel();
        var grpc = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        Assert.True((await grpc.ServerLiveAsync(new ServerLiveRequest())).Live);
        Assert.False((await grpc.ServerReadyAsync(new ServerReadyRequest())).Ready);
        Assert.False((await grpc.ModelReadyAsync(new ModelReadyRequest { Name = "missing" })).Ready);
        var health = new Health.HealthClient(channel);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest())).Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = "live" })).Status);
    }
}
