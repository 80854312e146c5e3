using System.Net;
using System.Text;
using Toolchain.TestSupport;
using static Toolchain.Inference.Service.Tests.Protocol.ProtocolRequests;

namespace Toolchain.Inference.Service.Tests.Protocol;

/// <summary>The REST form of the Open Inference Protocol against the cnn, mlp and xor models: every endpoint and extension.</summary>
public abstract class RestProtocolChecks<THost>(THost service)
    where THost : IProtocolHost
{
    [Fact]
    public async Task ServerMetadataListsTheExtensions()
    {
        using var response = await service.Http.GetAsync("/v2");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await ProtocolService.JsonAsync(response);
        Assert.Equal("toolchain", json.GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("version").GetString()));
        var extensions = json.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Contains("binary_tensor_data", extensions);
        Assert.Contains("classification", extensions);
    }

    [Theory]
    [InlineData("cnn", "", "FP32", "-1,1,28,28", "logits:FP32:-1,10|probabilities:FP32:-1,10")]
    [InlineData("mlp", "mlp", "FP32", "-1,1,28,28", "logits:FP32:-1,10|probabilities:FP32:-1,10")]
    [InlineData("xor", "xor", "FP64", "-1,2", "probability:FP64:-1,1")]
    public async Task ModelMetadataDescribesTheGraph(string name, string key, string datatype, string shape, string outputs)
    {
        var version = service.VersionOf(key);
        foreach (var path in new[] { $"/v2/models/{name}", $"/v2/models/{name}/versions/{version}" })
        {
            using var response = await service.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var json = await ProtocolService.JsonAsync(response);
            Assert.Equal(name, json.GetProperty("name").GetString());
            Assert.Equal("onnx_onnxv1", json.GetProperty("platform").GetString());
            Assert.Equal([version], json.GetProperty("versions").EnumerateArray().Select(v => v.GetString()!).ToArray());
            var input = json.GetProperty("inputs").EnumerateArray().Single();
            Assert.Equal("input", input.GetProperty("name").GetString());
            Assert.Equal(datatype, input.GetProperty("datatype").GetString());
            Assert.Equal(shape, string.Join(',', Shape(input)));
            Assert.Equal(outputs, string.Join('|', json.GetProperty("outputs").EnumerateArray()
                .Select(o => $"{o.GetProperty("name").GetString()}:{o.GetProperty("datatype").GetString()}:{string.Join(',', Shape(o))}")));
        }
    }

    [Theory]
    [InlineData("cnn", "")]
    [InlineData("mlp", "mlp")]
    [InlineData("xor", "xor")]
    public async Task ModelReadyAnswersForTheLoadedVersionOnly(string name, string key)
    {
        foreach (var path in new[] { $"/v2/models/{name}/ready", $"/v2/models/{name}/versions/{service.VersionOf(key)}/ready" })
        {
            using var response = await service.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var json = await ProtocolService.JsonAsync(response);
            Assert.Equal(name, json.GetProperty("name").GetString());
            Assert.True(json.GetProperty("ready").GetBoolean());
        }
        foreach (var path in new[] { $"/v2/models/{name}/versions/0123456789ab/ready", $"/v2/models/{name}/versions/1", $"/v2/models/nope/ready", "/v2/models/nope" })
        {
            using var response = await service.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.False(string.IsNullOrEmpty((await ProtocolService.JsonAsync(response)).GetProperty("error").GetString()));
        }
    }

    [Fact]
    public async Task XorTakesNestedFp64DataAndEchoesTheId()
    {
        using var response = await service.PostJsonAsync("/v2/models/xor/infer",
            """{"id":"req-7","inputs":[{"name":"input","shape":[3,2],"datatype":"FP64","data":[[0,0],[1,0],[1,1]]}]}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await ProtocolService.JsonAsync(response);
        Assert.Equal("req-7", json.GetProperty("id").GetString());
        Assert.Equal("xor", json.GetProperty("model_name").GetString());
        Assert.Equal(service.VersionOf("xor"), json.GetProperty("model_version").GetString());
        var output = Output(json, "probability");
        Assert.Equal("FP64", output.GetProperty("datatype").GetString());
        Assert.Equal([3L, 1], Shape(output));
        // The graph is sigmoid(x0 + x1 - 1), run in float64: exact to the last bits.
        Assert.Equal([Sigmoid(-1), Sigmoid(0), Sigmoid(1)], Doubles(output.GetProperty("data")));
    }

    [Theory]
    [InlineData("cnn")]
    [InlineData("mlp")]
    public async Task ImageModelsAnswerEveryOutputForFlatAndNestedData(string name)
    {
        var image = Band(4);
        using var flat = await service.PostJsonAsync($"/v2/models/{name}/infer", ImageJson(image));
        Assert.Equal(HttpStatusCode.OK, flat.StatusCode);
        var json = await ProtocolService.JsonAsync(flat);
        Assert.False(json.TryGetProperty("id", out _));
        var probabilities = Floats(Output(json, "probabilities").GetProperty("data"));
        Assert.Equal(10, probabilities.Length);
        Assert.Equal(1, probabilities.Sum(), 4);
        Assert.Equal([1L, 10], Shape(Output(json, "logits")));
        if (name == "mlp")
        {
            Assert.Equal(4, Array.IndexOf(probabilities, probabilities.Max()));
        }
        var rows = string.Join(',', Enumerable.Range(0, 28).Select(y => $"[{Numbers(image.Skip(y * 28).Take(28))}]"));
        using var nested = await service.PostJsonAsync($"/v2/models/{name}/infer",
            $$"""{"inputs":[{"name":"input","shape":[1,1,28,28],"datatype":"FP32","data":[[[{{rows}}]]]}]}""");
        Assert.Equal(HttpStatusCode.OK, nested.StatusCode);
        Assert.Equal(probabilities, Floats(Output(await ProtocolService.JsonAsync(nested), "probabilities").GetProperty("data")));
    }

    [Fact]
    public async Task NullFieldsCountAsAbsent()
    {
        // Clients that serialise every field of their request type write the absent ones as null.
        using var response = await service.PostJsonAsync("/v2/models/xor/infer",
            """{"id":null,"parameters":null,"inputs":[{"name":"input","shape":[1,2],"datatype":"FP64","parameters":null,"data":[1,1]}],"outputs":null}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await ProtocolService.JsonAsync(response);
        Assert.False(json.TryGetProperty("id", out _));
        Assert.Equal([Sigmoid(1)], Doubles(Output(json, "probability").GetProperty("data")));
    }

    [Fact]
    public async Task OutputsChoosesWhatComesBack()
    {
        using var response = await service.PostJsonAsync("/v2/models/mlp/infer", ImageJson(Band(2), """[{"name":"logits"}]"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var outputs = (await ProtocolService.JsonAsync(response)).GetProperty("outputs").EnumerateArray().ToArray();
        Assert.Equal("logits", Assert.Single(outputs).GetProperty("name").GetString());
    }

    [Fact]
    public async Task ClassificationAnswersTopKAsScoreIndexLabel()
    {
        using var response = await service.PostJsonAsync("/v2/models/mlp/infer",
            ImageJson(Band(6), """[{"name":"probabilities","parameters":{"classification":3}}]"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var output = Output(await ProtocolService.JsonAsync(response), "probabilities");
        Assert.Equal("BYTES", output.GetProperty("datatype").GetString());
        Assert.Equal([1L, 3], Shape(output));
        var top = output.GetProperty("data").EnumerateArray().Select(e => e.GetString()!.Split(':')).ToArray();
        Assert.Equal(["6", "digit 6"], top[0][1..]);
        var scores = top.Select(t => float.Parse(t[0], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(scores.OrderByDescending(s => s), scores);
    }

    [Fact]
    public async Task BinaryInputsAndOutputsMatchJson()
    {
        float[] twoImages = [.. Band(1), .. Band(8)];
        const string Header = """{"inputs":[{"name":"input","shape":[2,1,28,28],"datatype":"FP32","parameters":{"binary_data_size":6272}}],"outputs":[{"name":"probabilities","parameters":{"binary_data":true}},{"name":"logits"}]}""";
        using var response = await service.PostBinaryAsync("/v2/models/mlp/infer", Header, Bytes(twoImages));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsByteArrayAsync();
        var jsonLength = int.Parse(Assert.Single(response.Headers.GetValues("Inference-Header-Content-Length")), System.Globalization.CultureInfo.InvariantCulture);
        var json = System.Text.Json.JsonDocument.Parse(body.AsMemory(0, jsonLength)).RootElement;
        var probabilities = Output(json, "probabilities");
        Assert.Equal(80, probabilities.GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.False(probabilities.TryGetProperty("data", out _));
        Assert.Equal(jsonLength + 80, body.Length);
        var binary = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(body.AsSpan(jsonLength)).ToArray();
        Assert.Equal(1, Array.IndexOf(binary[..10], binary[..10].Max()));
        Assert.Equal(8, Array.IndexOf(binary[10..], binary[10..].Max()));
        // The JSON path gives the same numbers for the same rows.
        using var viaJson = await service.PostJsonAsync("/v2/models/mlp/infer",
            $$"""{"inputs":[{"name":"input","shape":[2,1,28,28],"datatype":"FP32","data":[{{Numbers(twoImages)}}]}],"outputs":[{"name":"probabilities"}]}""");
        Assert.Equal(binary, Floats(Output(await ProtocolService.JsonAsync(viaJson), "probabilities").GetProperty("data")));
    }

    [Fact]
    public async Task BinaryDataOutputTurnsEveryOutputBinaryAndClassificationsAreLengthPrefixed()
    {
        const string Header = """{"parameters":{"binary_data_output":true},"inputs":[{"name":"input","shape":[1,2],"datatype":"FP64","parameters":{"binary_data_size":16}}],"outputs":[{"name":"probability","parameters":{"classification":1}}]}""";
        using var response = await service.PostBinaryAsync("/v2/models/xor/infer", Header, Bytes([1.0, 1.0]));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync();
        var jsonLength = int.Parse(response.Headers.GetValues("Inference-Header-Content-Length").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var element = body.AsSpan(jsonLength);
        var length = BitConverter.ToInt32(element[..4]);
        Assert.Equal(element.Length, 4 + length);
        // One value per row, so no label: the binary model's labels name classes, not the output's single column.
        Assert.Equal($"{Sigmoid(1).ToString(System.Globalization.CultureInfo.InvariantCulture)}:0", Encoding.UTF8.GetString(element[4..]));
    }

    [Fact]
    public async Task ConcurrentRequestsEachGetTheirOwnRows()
    {
        // Requests of 1 to 3 rows each, all at once: whatever batches they form, each answer holds its own rows.
        var tasks = Enumerable.Range(0, 24).Select(async i =>
        {
            var labels = Enumerable.Range(0, 1 + (i % 3)).Select(r => (i + r) % 10).ToArray();
            float[] pixels = [.. labels.SelectMany(Band)];
            using var response = await service.PostBinaryAsync("/v2/models/mlp/infer",
                $$$"""{"inputs":[{"name":"input","shape":[{{{labels.Length}}},1,28,28],"datatype":"FP32","parameters":{"binary_data_size":{{{pixels.Length * 4}}}}}],"outputs":[{"name":"probabilities","parameters":{"classification":1}}]}""",
                Bytes(pixels));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var data = Output(await ProtocolService.JsonAsync(response), "probabilities").GetProperty("data").EnumerateArray().Select(e => e.GetString()!).ToArray();
            Assert.Equal(labels.Select(l => $"digit {l}"), data.Select(d => d.Split(':')[2]));
        });
        await Task.WhenAll(tasks);
    }
}

/// <summary>The checks against the service, and what only the service has: /v1 beside /v2.</summary>
public sealed class RestProtocolTests : RestProtocolChecks<ProtocolService>, IClassFixture<ProtocolService>
{
    private readonly ProtocolService _service;

    public RestProtocolTests(ProtocolService service)
        : base(service) => _service = service;

    [Fact]
    public async Task V1AndV2GiveIdenticalProbabilitiesForTheSameImage()
    {
        var png = LabelledTinyModels.Png(5);
        using var v1 = await _service.Http.PostAsync("/v1/classify?top_k=10", new ByteArrayContent(png) { Headers = { ContentType = new("image/png") } });
        Assert.Equal(HttpStatusCode.OK, v1.StatusCode);
        var v1Probabilities = (await ProtocolService.JsonAsync(v1)).GetProperty("top_k").EnumerateArray()
            .ToDictionary(t => t.GetProperty("label").GetString()!, t => t.GetProperty("probability").GetSingle());
        // The same preprocessing /v1 applies (the card's digit framing and normalisation), done by the client.
        using var model = Runtime.OnnxModel.Load(_service.CnnPath, new Runtime.OnnxModelOptions { Provider = Contracts.ExecutionProvider.Cpu, IntraOpThreads = 1 });
        using var images = new Imaging.ImageClassifier(model);
        var pixels = new float[784];
        images.Preprocessor.Process(png, "digit.png", pixels);
        using var v2 = await _service.PostJsonAsync("/v2/models/cnn/infer", ImageJson(pixels, """[{"name":"probabilities"}]"""));
        Assert.Equal(HttpStatusCode.OK, v2.StatusCode);
        var v2Probabilities = Floats(Output(await ProtocolService.JsonAsync(v2), "probabilities").GetProperty("data"));
        for (var c = 0; c < 10; c++)
        {
            Assert.Equal(v1Probabilities[$"digit {c}"], v2Probabilities[c]);
        }
    }
}

/// <summary>The same checks against a host on the packages' public calls alone (samples/OnnxClassifierService's way).</summary>
public sealed class PackageRestProtocolTests(PackageProtocolHost host) : RestProtocolChecks<PackageProtocolHost>(host), IClassFixture<PackageProtocolHost>;
