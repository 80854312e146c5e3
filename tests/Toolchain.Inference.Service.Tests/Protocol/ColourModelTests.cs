using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;
using Inference;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using Toolchain.Contracts;
using Toolchain.Inference.Imaging;
using Toolchain.Inference.Runtime;
using Toolchain.TestSupport;
using static Toolchain.Inference.Service.Tests.Protocol.ProtocolRequests;

namespace Toolchain.Inference.Service.Tests.Protocol;

/// <summary>
/// A colour model of another size (3×32×32, resize preprocessing, per-channel normalisation) served through /v1 and
/// /v2 (REST and gRPC): every path answers what the library answers for the same bytes. Run for a linear model
/// written by the test support and for a transfer-learned one that the trainer exported.
/// </summary>
public abstract class ColourModelTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private RunningService _service = null!;
    private ImageClassifier _library = null!;

    private string ModelPath => _dir.File("colours.onnx");

    /// <summary>The model's classes, in its output order.</summary>
    protected abstract IReadOnlyList<string> Labels { get; }

    /// <summary>Writes the model to <paramref name="path"/>.</summary>
    protected abstract void Write(string path);

    public async Task InitializeAsync()
    {
        Write(ModelPath);
        _library = ImageClassifier.Load(ModelPath, new OnnxModelOptions { Provider = ExecutionProvider.Cpu, IntraOpThreads = 1 });
        _service = await RunningService.StartAsync(ModelPath);
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        _library.Dispose();
        _dir.Dispose();
    }

    public static TheoryData<string, string, byte[]> Pictures => new()
    {
        { "red.png", "image/png", ColourTinyModel.Picture(new Rgb24(200, 40, 30)) },
        { "green.jpg", "image/jpeg", ColourTinyModel.Picture(new Rgb24(30, 190, 50), width: 37, height: 53, new JpegEncoder { Quality = 90 }) },
        { "red.webp", "image/webp", ColourTinyModel.Picture(new Rgb24(190, 30, 40), width: 41, height: 35, new WebpEncoder { FileFormat = WebpFileFormatType.Lossy, Quality = 80 }) },
        { "blue.png", "image/png", ColourTinyModel.Picture(new Rgb24(20, 60, 210), width: 32, height: 32) },
        { "grey.png", "image/png", ColourTinyModel.GreyPicture() },
    };

    [Theory]
    [MemberData(nameof(Pictures))]
    public async Task V1AnswersWhatTheLibraryAnswersForTheSameBytes(string name, string contentType, byte[] picture)
    {
        var want = _library.Classify(picture, name);

        using var response = await _service.PostImageAsync(picture, contentType, "?top_k=3");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await RunningService.JsonAsync(response);
        Assert.Equal(want.LabelName, json.GetProperty("label").GetString());
        var got = json.GetProperty("top_k").EnumerateArray()
            .ToDictionary(t => t.GetProperty("label").GetString()!, t => t.GetProperty("probability").GetSingle());
        Assert.Equal(3, got.Count);
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal(want.Probabilities[c], got[Labels[c]]);
        }
    }

    [Fact]
    public void TheColourPicturesAreTheirColoursClass()
    {
        // The model reads colour, so a channel mix-up anywhere would show here as well as in the comparisons.
        foreach (var (name, _, picture) in Pictures.Select(row => ((string)row[0], (string)row[1], (byte[])row[2])).Where(row => !row.Item1.StartsWith("grey", StringComparison.Ordinal)))
        {
            Assert.Equal(name[..name.IndexOf('.', StringComparison.Ordinal)], _library.Classify(picture, name).LabelName);
        }
    }

    [Theory]
    [MemberData(nameof(Pictures))]
    public async Task V2Fp32TensorsAsJsonAndAsBinaryAnswerWhatTheLibraryAnswers(string name, string contentType, byte[] picture)
    {
        _ = contentType;
        var want = _library.Classify(picture, name);
        // The client prepares the picture as the library does (resize, centre crop, per-channel normalisation).
        var pixels = new float[3 * 32 * 32];
        _library.Preprocessor.Process(picture, name, pixels);

        using var viaJson = await PostJsonAsync(
            $$"""{"inputs":[{"name":"input","shape":[1,3,32,32],"datatype":"FP32","data":[{{Numbers(pixels)}}]}],"outputs":[{"name":"probabilities"}]}""");
        Assert.Equal(HttpStatusCode.OK, viaJson.StatusCode);
        Assert.Equal(want.Probabilities, Floats(Output(await RunningService.JsonAsync(viaJson), "probabilities").GetProperty("data")));

        using var viaBinary = await PostBinaryAsync(
            """{"inputs":[{"name":"input","shape":[1,3,32,32],"datatype":"FP32","parameters":{"binary_data_size":12288}}],"outputs":[{"name":"probabilities"},{"name":"logits","parameters":{"classification":1}}]}""",
            Bytes(pixels));
        Assert.Equal(HttpStatusCode.OK, viaBinary.StatusCode);
        var answer = await RunningService.JsonAsync(viaBinary);
        Assert.Equal(want.Probabilities, Floats(Output(answer, "probabilities").GetProperty("data")));
        var top = Output(answer, "logits").GetProperty("data")[0].GetString()!;
        Assert.EndsWith($":{want.Label}:{want.LabelName}", top, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1,1,32,32]", 1024)]
    [InlineData("[1,3,28,28]", 2352)]
    [InlineData("[1,32,32,3]", 3072)]
    public async Task AWrongTensorShapeGets400NamingTheModelsShape(string shape, int elements)
    {
        using var viaJson = await PostJsonAsync(
            $$"""{"inputs":[{"name":"input","shape":{{shape}},"datatype":"FP32","data":[{{Numbers(new float[elements])}}]}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, viaJson.StatusCode);
        Assert.Contains("the model takes [-1,3,32,32]", (await RunningService.JsonAsync(viaJson)).GetProperty("error").GetString(), StringComparison.Ordinal);

        using var viaBinary = await PostBinaryAsync(
            $$$"""{"inputs":[{"name":"input","shape":{{{shape}}},"datatype":"FP32","parameters":{"binary_data_size":{{{elements * 4}}}}}]}""",
            new byte[elements * 4]);
        Assert.Equal(HttpStatusCode.BadRequest, viaBinary.StatusCode);
        Assert.Contains("the model takes [-1,3,32,32]", (await RunningService.JsonAsync(viaBinary)).GetProperty("error").GetString(), StringComparison.Ordinal);

        // The service is still answering.
        using var good = await _service.PostImageAsync(ColourTinyModel.Picture(new Rgb24(200, 40, 30)));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
    }

    [Fact]
    public async Task MetadataDescribesTheColourInput()
    {
        using var metadata = await _service.Client.GetAsync("/v2/models/colours");
        var input = (await RunningService.JsonAsync(metadata)).GetProperty("inputs")[0];
        Assert.Equal("FP32", input.GetProperty("datatype").GetString());
        Assert.Equal([-1L, 3, 32, 32], Shape(input));
    }

    private Task<HttpResponseMessage> PostJsonAsync(string json) =>
        _service.Client.PostAsync("/v2/models/colours/infer", new StringContent(json, Encoding.UTF8, "application/json"));

    private Task<HttpResponseMessage> PostBinaryAsync(string json, byte[] binary)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var content = new ByteArrayContent([.. header, .. binary]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", header.Length.ToString(CultureInfo.InvariantCulture));
        return _service.Client.PostAsync("/v2/models/colours/infer", content);
    }

    [Fact]
    public async Task GrpcFp32ContentsAndRawContentsAnswerWhatTheLibraryAnswers()
    {
        var picture = ColourTinyModel.Picture(new Rgb24(30, 190, 50), width: 41, height: 29);
        var want = _library.Classify(picture, "green.png");
        var pixels = new float[3 * 32 * 32];
        _library.Preprocessor.Process(picture, "green.png", pixels);
        using var channel = _service.CreateGrpcChannel();
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);

        var typed = Request();
        typed.Inputs[0].Contents = new InferTensorContents { Fp32Contents = { pixels } };
        var raw = Request();
        raw.RawInputContents.Add(ByteString.CopyFrom(Bytes(pixels)));

        foreach (var request in new[] { typed, raw })
        {
            var response = await client.ModelInferAsync(request);
            var output = Assert.Single(response.Outputs);
            var probabilities = output.Contents?.Fp32Contents.Count > 0
                ? output.Contents.Fp32Contents.ToArray()
                : MemoryMarshal.Cast<byte, float>(response.RawOutputContents.Single().Span).ToArray();
            Assert.Equal(want.Probabilities, probabilities);
        }

        static ModelInferRequest Request()
        {
            var request = new ModelInferRequest { ModelName = "colours" };
            request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { 1, 3, 32, 32 } });
            request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "probabilities" });
            return request;
        }
    }
}

/// <summary>The linear colour model of <see cref="ColourTinyModel"/>.</summary>
public sealed class LinearColourModelTests : ColourModelTests
{
    protected override IReadOnlyList<string> Labels => ColourTinyModel.Labels;

    protected override void Write(string path) => ColourTinyModel.Write(path);
}

/// <summary>The transfer-learned model of <see cref="TinyTransferModel"/>: preprocessing, an imported backbone and a head in one graph.</summary>
public sealed class TransferModelTests : ColourModelTests
{
    protected override IReadOnlyList<string> Labels => TinyTransferModel.Labels;

    protected override void Write(string path) => TinyTransferModel.Write(path);
}
