using System.Net;
using Toolchain.TestSupport;
using static Toolchain.Inference.Service.Tests.Protocol.ProtocolRequests;

namespace Toolchain.Inference.Service.Tests.Protocol;

/// <summary>A uint8-input graph (normalisation in the graph) over /v2 with UINT8 pixels, and over /v1 with PNGs.</summary>
public sealed class PixelModelTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private RunningService _service = null!;

    public async Task InitializeAsync()
    {
        var pixels = TinyOnnxModels.WritePixelImageClassifier(_dir.File("digits8.onnx"), TinyOnnxModels.ImageCard(mode: Contracts.PreprocessingMode.None));
        _service = await RunningService.StartAsync(pixels, ("Models:float:Path", TinyOnnxModels.WriteImageClassifier(_dir.File("float.onnx"),
            card: TinyOnnxModels.ImageCard(mode: Contracts.PreprocessingMode.None))));
        await _service.Classifier.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Uint8PixelsGoInAsJsonAndGiveTheFloatModelsAnswer()
    {
        using var metadata = await _service.Client.GetAsync("/v2/models/digits8");
        var input = (await RunningService.JsonAsync(metadata)).GetProperty("inputs")[0];
        Assert.Equal("UINT8", input.GetProperty("datatype").GetString());

        var pixels = TinyOnnxModels.ImageForClass(5, on: 255, off: 0).Select(v => (byte)v).ToArray();
        var json = $$"""{"inputs":[{"name":"input","shape":[1,1,28,28],"datatype":"UINT8","data":[{{string.Join(',', pixels)}}]}],"outputs":[{"name":"probabilities"}]}""";
        using var viaJson = await _service.Client.PostAsync("/v2/models/digits8/infer", new StringContent(json));
        Assert.Equal(HttpStatusCode.OK, viaJson.StatusCode);
        var fromPixels = Floats(Output(await RunningService.JsonAsync(viaJson), "probabilities").GetProperty("data"));
        Assert.Equal(5, Array.IndexOf(fromPixels, fromPixels.Max()));

        using var floatModel = await _service.Client.PostAsync("/v2/models/float/infer",
            new StringContent(ImageJson(LabelledTinyModels.Input(5), """[{"name":"probabilities"}]""")));
        var fromFloats = Floats(Output(await RunningService.JsonAsync(floatModel), "probabilities").GetProperty("data"));
        Assert.All(fromPixels.Zip(fromFloats), pair => Assert.Equal(pair.Second, pair.First, 1e-5));

        using var tooBig = await _service.Client.PostAsync("/v2/models/digits8/infer", new StringContent(json.Replace("\"data\":[0,", "\"data\":[256,", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.BadRequest, tooBig.StatusCode);
        Assert.Contains("is not a UINT8 value", (await RunningService.JsonAsync(tooBig)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task V1SkipsItsOwnNormalisationForAGraphThatNormalises()
    {
        // A PNG through /v1: the preprocessor hands the graph pixels, and the graph normalises them once.
        using var pixelAnswer = await _service.PostImageAsync(LabelledTinyModels.Png(7), query: "?top_k=10");
        Assert.Equal(HttpStatusCode.OK, pixelAnswer.StatusCode);
        var json = await RunningService.JsonAsync(pixelAnswer);
        Assert.Equal("digit 7", json.GetProperty("label").GetString());
        using var floatModel = await _service.Client.PostAsync("/v2/models/float/infer",
            new StringContent(ImageJson(LabelledTinyModels.Input(7), """[{"name":"probabilities"}]""")));
        var want = Floats(Output(await RunningService.JsonAsync(floatModel), "probabilities").GetProperty("data"));
        foreach (var entry in json.GetProperty("top_k").EnumerateArray())
        {
            var label = int.Parse(entry.GetProperty("label").GetString()!["digit ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(want[label], entry.GetProperty("probability").GetSingle(), 1e-5);
        }
    }
}
