using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using Inference;
using static Toolchain.Inference.Service.Tests.Protocol.ProtocolRequests;

namespace Toolchain.Inference.Service.Tests.Protocol;

/// <summary>The gRPC form of the protocol (the official GRPCInferenceService) against the cnn, mlp and xor models.</summary>
public sealed class GrpcProtocolTests(ProtocolService service) : IClassFixture<ProtocolService>
{
    private GRPCInferenceService.GRPCInferenceServiceClient Client => service.Grpc;

    [Fact]
    public async Task ServerLiveReadyAndMetadata()
    {
        Assert.True((await Client.ServerLiveAsync(new ServerLiveRequest())).Live);
        Assert.True((await Client.ServerReadyAsync(new ServerReadyRequest())).Ready);
        var metadata = await Client.ServerMetadataAsync(new ServerMetadataRequest());
        Assert.Equal("toolchain", metadata.Name);
        Assert.Contains("binary_tensor_data", metadata.Extensions);
        Assert.Contains("classification", metadata.Extensions);
    }

    [Theory]
    [InlineData("cnn", "", "FP32", "-1,1,28,28", "logits:FP32:-1,10|probabilities:FP32:-1,10")]
    [InlineData("mlp", "mlp", "FP32", "-1,1,28,28", "logits:FP32:-1,10|probabilities:FP32:-1,10")]
    [InlineData("xor", "xor", "FP64", "-1,2", "probability:FP64:-1,1")]
    public async Task ModelMetadataAndReadiness(string name, string key, string datatype, string shape, string outputs)
    {
        var version = service.VersionOf(key);
        foreach (var asked in new[] { "", version })
        {
            var metadata = await Client.ModelMetadataAsync(new ModelMetadataRequest { Name = name, Version = asked });
            Assert.Equal(name, metadata.Name);
            Assert.Equal("onnx_onnxv1", metadata.Platform);
            Assert.Equal([version], metadata.Versions);
            var input = Assert.Single(metadata.Inputs);
            Assert.Equal(("input", datatype, shape), (input.Name, input.Datatype, string.Join(',', input.Shape)));
            Assert.Equal(outputs, string.Join('|', metadata.Outputs.Select(o => $"{o.Name}:{o.Datatype}:{string.Join(',', o.Shape)}")));
            Assert.True((await Client.ModelReadyAsync(new ModelReadyRequest { Name = name, Version = asked })).Ready);
        }
        await AssertStatusAsync(Client.ModelMetadataAsync(new ModelMetadataRequest { Name = name, Version = "0123456789ab" }), StatusCode.NotFound, "has no version");
        await AssertStatusAsync(Client.ModelReadyAsync(new ModelReadyRequest { Name = "nope" }), StatusCode.NotFound, "unknown model 'nope'");
    }

    [Fact]
    public async Task XorWithTypedContents()
    {
        var request = XorRequest(3, [0, 0, 1, 0, 1, 1]);
        request.Id = "g-1";
        var response = await Client.ModelInferAsync(request);
        Assert.Equal(("xor", service.VersionOf("xor"), "g-1"), (response.ModelName, response.ModelVersion, response.Id));
        var output = Assert.Single(response.Outputs);
        Assert.Equal(("probability", "FP64"), (output.Name, output.Datatype));
        Assert.Equal([3L, 1], output.Shape);
        Assert.Equal([Sigmoid(-1), Sigmoid(0), Sigmoid(1)], output.Contents.Fp64Contents);
        Assert.Empty(response.RawOutputContents);
    }

    [Fact]
    public async Task RawInputContentsGetRawOutputContentsInTheRequestedOrder()
    {
        float[] pixels = [.. Band(7), .. Band(2)];
        var request = new ModelInferRequest { ModelName = "mlp" };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { 2, 1, 28, 28 } });
        request.RawInputContents.Add(ByteString.CopyFrom(Bytes(pixels)));
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "probabilities" });
        var classified = new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "logits" };
        classified.Parameters["classification"] = new InferParameter { Int64Param = 2 };
        request.Outputs.Add(classified);
        var response = await Client.ModelInferAsync(request);
        Assert.Equal(["probabilities", "logits"], response.Outputs.Select(o => o.Name));
        Assert.Equal(2, response.RawOutputContents.Count);
        var probabilities = MemoryMarshal.Cast<byte, float>(response.RawOutputContents[0].Span).ToArray();
        Assert.Equal(20, probabilities.Length);
        Assert.Equal(7, Array.IndexOf(probabilities[..10], probabilities[..10].Max()));
        Assert.Equal(2, Array.IndexOf(probabilities[10..], probabilities[10..].Max()));
        Assert.Equal("BYTES", response.Outputs[1].Datatype);
        Assert.Equal([2L, 2], response.Outputs[1].Shape);
        // BYTES in raw form: a 4-byte length before each element.
        var raw = response.RawOutputContents[1].ToByteArray();
        var first = System.Text.Encoding.UTF8.GetString(raw, 4, BitConverter.ToInt32(raw, 0));
        Assert.EndsWith(":7:digit 7", first);
    }

    [Fact]
    public async Task TypedFp32ContentsMatchRest()
    {
        var request = new ModelInferRequest { ModelName = "cnn" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { 1, 1, 28, 28 } };
        input.Contents = new InferTensorContents();
        input.Contents.Fp32Contents.AddRange(Band(3));
        request.Inputs.Add(input);
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "probabilities" });
        var grpc = (await Client.ModelInferAsync(request)).Outputs.Single().Contents.Fp32Contents.ToArray();
        using var rest = await service.PostJsonAsync("/v2/models/cnn/infer", ImageJson(Band(3), """[{"name":"probabilities"}]"""));
        Assert.Equal(Floats(Output(await ProtocolService.JsonAsync(rest), "probabilities").GetProperty("data")), grpc);
    }

    public static TheoryData<string, string> BadRequests() => new()
    {
        { "name", "unknown input 'pixels'" },
        { "datatype", "has datatype FP32; the model takes FP64" },
        { "shape", "the model takes [-1,2]" },
        { "count", "holds 3 elements but its shape [2,2] needs 4" },
        { "nan", "holds NaN or infinity at element 1" },
        { "batch", "a batch of 65; this model takes 1 to 64 rows" },
        { "huge", "a batch of 33500" },
        { "raw-count", "raw_input_contents holds 2 tensors for 1 inputs" },
        { "raw-size", "is not a whole number of FP64 elements" },
        { "both", "has both contents and raw_input_contents" },
        { "output", "unknown output 'logits'" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task BadRequestsGetInvalidArgumentAndTheNextGoodOneOk(string problem, string expected)
    {
        var request = problem switch
        {
            "name" => XorRequest(1, [0, 1], name: "pixels"),
            "datatype" => XorRequest(1, [0, 1], datatype: "FP32"),
            "shape" => XorRequest(1, [0, 1, 2], shape: [1, 3]),
            "count" => XorRequest(2, [0, 1, 1]),
            "nan" => XorRequest(1, [0, double.NaN]),
            "batch" => XorRequest(65, [0, 1]),
            "huge" => XorRequest(33500, [0, 1]),
            "raw-count" => Raw(XorRequest(1, []), 16, 16),
            "raw-size" => Raw(XorRequest(1, []), 12),
            "both" => Raw(XorRequest(1, [0, 1]), 16),
            "output" => WithOutput(XorRequest(1, [0, 1]), "logits"),
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };
        await AssertStatusAsync(Client.ModelInferAsync(request), StatusCode.InvalidArgument, expected);
        var good = await Client.ModelInferAsync(XorRequest(1, [1, 1]));
        Assert.Equal(Sigmoid(1), good.Outputs.Single().Contents.Fp64Contents.Single());
    }

    [Theory]
    [InlineData("nope", "", "unknown model 'nope'")]
    [InlineData("xor", "0123456789ab", "has no version '0123456789ab'")]
    public async Task UnknownModelOrVersionIsNotFound(string name, string version, string expected)
    {
        var request = XorRequest(1, [0, 1]);
        request.ModelName = name;
        request.ModelVersion = version;
        await AssertStatusAsync(Client.ModelInferAsync(request), StatusCode.NotFound, expected);
    }

    private static ModelInferRequest XorRequest(int rows, double[] values, string name = "input", string datatype = "FP64", long[]? shape = null)
    {
        var request = new ModelInferRequest { ModelName = "xor" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = datatype, Contents = new InferTensorContents() };
        input.Shape.AddRange(shape ?? [rows, 2]);
        if (datatype == "FP32")
        {
            input.Contents.Fp32Contents.AddRange(values.Select(v => (float)v));
        }
        else
        {
            input.Contents.Fp64Contents.AddRange(values);
        }
        request.Inputs.Add(input);
        return request;
    }

    private static ModelInferRequest Raw(ModelInferRequest request, params int[] sizes)
    {
        foreach (var size in sizes)
        {
            request.RawInputContents.Add(ByteString.CopyFrom(new byte[size]));
        }
        return request;
    }

    private static ModelInferRequest WithOutput(ModelInferRequest request, string name)
    {
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = name });
        return request;
    }

    private static async Task AssertStatusAsync<T>(AsyncUnaryCall<T> call, StatusCode code, string expected)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);
        Assert.Equal(code, e.StatusCode);
        Assert.Contains(expected, e.Status.Detail);
    }
}
