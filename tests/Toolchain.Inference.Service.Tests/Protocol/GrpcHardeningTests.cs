using System.Net;
using System.Net.Http.Headers;
using Grpc.Core;
using Grpc.Health.V1;
using Inference;
using static Toolchain.Inference.Service.Tests.Protocol.ProtocolRequests;

namespace Toolchain.Inference.Service.Tests.Protocol;

/// <summary>
/// Issue 21 over gRPC: messages that do not parse are INVALID_ARGUMENT (never UNKNOWN "Exception was thrown by
/// handler."), unknown methods and services UNIMPLEMENTED, client text in grpc-message capped, contents counted
/// against the model before they are copied, and grpc.health.v1 served.
/// </summary>
public sealed class GrpcHardeningTests(ProtocolService service) : IClassFixture<ProtocolService>
{
    private static readonly Marshaller<byte[]> Raw = Marshallers.Create(b => b, b => b);

    public static TheoryData<string, byte[]> Malformed() => new()
    {
        // model_name (field 1, a string) holding bytes that are not UTF-8.
        { "invalid UTF-8 in a string field", [0x0A, 0x02, 0xFF, 0xFE, 0x12, 0x00] },
        // model_name says 16 bytes follow; one does.
        { "a truncated field", [0x0A, 0x10, (byte)'x'] },
        // An unknown varint field (15) whose varint never ends within ten bytes.
        { "a bad varint", [0x78, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01] },
        // 200 nested start-groups of an unknown field: past protobuf's recursion limit of 100.
        { "deeply nested groups", [.. Enumerable.Repeat((byte)0x7B, 200), .. Enumerable.Repeat((byte)0x7C, 200)] },
        // A wire type that does not exist (7).
        { "an invalid wire type", [0x7F, 0x00] },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_message_that_does_not_parse_is_invalid_argument(string what, byte[] message)
    {
        var call = service.Channel.CreateCallInvoker().AsyncUnaryCall(Method("inference.GRPCInferenceService", "ModelInfer"), null, new CallOptions(), message);

        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("the request is not a valid ModelInferRequest message", e.Status.Detail);
        Assert.DoesNotContain('\n', e.Status.Detail);
        Assert.NotEmpty(what);
        var good = await service.Grpc.ModelInferAsync(XorRequest([1, 1]));
        Assert.Equal(Sigmoid(1), good.Outputs.Single().Contents.Fp64Contents.Single());
    }

    [Theory]
    [InlineData("inference.GRPCInferenceService", "ModelConfig")]
    [InlineData("inference.GRPCInferenceService", "ModelStreamInfer")]
    [InlineData("inference.GRPCInferenceService", "RepositoryIndex")]
    [InlineData("foo.Bar", "Baz")]
    public async Task Unknown_methods_and_services_are_unimplemented(string serviceName, string method)
    {
        var call = service.Channel.CreateCallInvoker().AsyncUnaryCall(Method(serviceName, method), null, new CallOptions(), []);

        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
        Assert.Contains($"/{serviceName}/{method}", e.Status.Detail);
    }

    [Fact]
    public async Task Unimplemented_is_a_trailers_only_grpc_response_not_an_http_404()
    {
        var content = new ByteArrayContent([0, 0, 0, 0, 0]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/inference.GRPCInferenceService/ModelConfig") { Content = content, Version = HttpVersion.Version20 };

        using var response = await service.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/grpc", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("12", response.Headers.GetValues("grpc-status").Single());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_100_KB_model_name_is_not_found_with_a_short_message()
    {
        var request = XorRequest([0, 1]);
        request.ModelName = new string('m', 100_000);

        var e = await Assert.ThrowsAsync<RpcException>(() => service.Grpc.ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.StartsWith("unknown model 'mmmm", e.Status.Detail);
        Assert.InRange(e.Status.Detail.Length, 1, 500);
    }

    [Fact]
    public async Task Contents_past_what_the_model_takes_are_refused()
    {
        var request = XorRequest(new double[100_000]);

        var e = await Assert.ThrowsAsync<RpcException>(() => service.Grpc.ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("hold more than 128 elements, the most model 'xor' takes (64 rows of 2)", e.Status.Detail);
    }

    [Fact]
    public async Task An_id_longer_than_is_echoed_is_invalid_argument()
    {
        var request = XorRequest([0, 1]);
        request.Id = new string('i', 201);

        var e = await Assert.ThrowsAsync<RpcException>(() => service.Grpc.ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("id is 201 characters long", e.Status.Detail);
    }

    [Theory]
    [InlineData("")]
    [InlineData("inference.GRPCInferenceService")]
    [InlineData("live")]
    public async Task The_standard_health_service_answers_serving(string name)
    {
        var health = new Health.HealthClient(service.Channel);

        var response = await health.CheckAsync(new HealthCheckRequest { Service = name });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    private static Method<byte[], byte[]> Method(string serviceName, string name) => new(MethodType.Unary, serviceName, name, Raw, Raw);

    private static ModelInferRequest XorRequest(double[] values)
    {
        var request = new ModelInferRequest { ModelName = "xor" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP64", Contents = new InferTensorContents() };
        input.Shape.AddRange([1, 2]);
        input.Contents.Fp64Contents.AddRange(values);
        request.Inputs.Add(input);
        return request;
    }
}
