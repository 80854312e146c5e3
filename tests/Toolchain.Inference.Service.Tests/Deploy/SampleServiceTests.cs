using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Deploy;

/// <summary>
/// The sample service (<c>samples/OnnxClassifierService</c>), built on the packed NuGet packages rather than the
/// projects, answers as its README says: health, a classified PNG, and the Open Inference Protocol's metadata, a tensor
/// inference with the classification extension, a refused datatype and an unknown model. <c>make sample-test</c> packs,
/// builds the sample against the packages, names its dll in <see cref="DllVariable"/> and runs only these tests;
/// <c>make test</c> runs them through that target, so the solution's run leaves them out by their trait.
/// </summary>
[Trait("Category", Category)]
public sealed class SampleServiceTests : IDisposable
{
    /// <summary>The trait that keeps these tests out of the solution's run.</summary>
    public const string Category = "SampleService";

    /// <summary>The environment variable that names the sample's built dll.</summary>
    public const string DllVariable = "TOOLCHAIN_SAMPLE_SERVICE";

    private const string Label = "digit 3";

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_sample_on_the_packages_classifies_a_PNG_and_serves_the_open_inference_protocol()
    {
        var dll = Environment.GetEnvironmentVariable(DllVariable);
        Assert.False(string.IsNullOrEmpty(dll), $"{DllVariable} names no dll: 'make sample-test' builds the sample on the packages and sets it");
        Assert.True(File.Exists(dll), $"{dll} does not exist");
        var model = LabelledTinyModels.Write(_dir.File("model.onnx"), "digit ", withIntegrity: true);

        await using var service = await ServiceProcess.StartAsync("dotnet", [dll, "--model", model]);

        using (var health = await service.Client.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
        // 503 while the model loads (or the queue is full): the sample's answer to retry.
        await Eventually.TrueAsync(async () =>
        {
            using var png = new ByteArrayContent(LabelledTinyModels.Png(3));
            png.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            using var answer = await service.Client.PostAsync("/classify", png);
            if (answer.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                return false;
            }
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal(Label, (string?)JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["label"]);
            return true;
        }, $"/classify answers; the service said:\n{service.Output}");
        Assert.True((bool?)(await Json(service.Client.GetAsync("/healthz")))["ready"], "/healthz reports the model ready after a classification");

        await ProtocolAsync(service.Client);
    }

    /// <summary>The Open Inference Protocol on the packages, as the service's own protocol tests ask it.</summary>
    private static async Task ProtocolAsync(HttpClient client)
    {
        using (var ready = await client.GetAsync("/v2/health/ready"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }
        var input = (await Json(client.GetAsync("/v2/models/classifier")))["inputs"]![0]!;
        Assert.Equal(("input", "FP32", "[-1,1,28,28]"), ((string?)input["name"], (string?)input["datatype"], input["shape"]!.ToJsonString()));

        var infer = new JsonObject
        {
            ["id"] = "smoke",
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["name"] = "input",
                ["datatype"] = "FP32",
                ["shape"] = new JsonArray(1, 1, 28, 28),
                ["data"] = new JsonArray([.. LabelledTinyModels.Input(3).Select(v => JsonValue.Create(v))]),
            }),
            ["outputs"] = new JsonArray(new JsonObject { ["name"] = "probabilities", ["parameters"] = new JsonObject { ["classification"] = 1 } }),
        };
        var answer = await Json(client.PostAsync("/v2/models/classifier/infer", Body(infer)));
        Assert.Equal("smoke", (string?)answer["id"]);
        var classified = Assert.Single(answer["outputs"]![0]!["data"]!.AsArray());
        Assert.Equal(Label, ((string)classified!).Split(':', 3)[2]);

        var fp64 = JsonNode.Parse("""{"inputs":[{"name":"input","datatype":"FP64","shape":[1,1,28,28],"data":[0]}]}""")!;
        using (var refused = await client.PostAsync("/v2/models/classifier/infer", Body(fp64)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("FP64", (string?)JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["error"], StringComparison.Ordinal);
        }
        using (var unknown = await client.PostAsync("/v2/models/nope/infer", Body(infer)))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }
    }

    private static StringContent Body(JsonNode json) => new(json.ToJsonString(), Encoding.UTF8, "application/json");

    /// <summary>The JSON of an answer that must be 200.</summary>
    private static async Task<JsonNode> Json(Task<HttpResponseMessage> request)
    {
        using var response = await request;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text) ?? throw new JsonException($"{response.RequestMessage?.RequestUri} answered null");
    }
}
