using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;
using Grpc.Net.Client;
using Inference;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Toolchain.Contracts;
using Toolchain.Inference.Hosting;
using Toolchain.Inference.Imaging;
using Toolchain.Inference.Runtime;
using Toolchain.TestSupport;
using static Toolchain.Inference.Service.Tests.Protocol.ProtocolRequests;

namespace Toolchain.Inference.Service.Tests.Protocol;

/// <summary>The service in memory on an INT8 model from <c>infer quantize</c> (the trained tiny CNN, QDQ), one per test class.</summary>
public sealed class QuantizedService : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private WebApplication _app = null!;

    internal HttpClient Http { get; private set; } = null!;

    internal GrpcChannel Channel { get; private set; } = null!;

    internal ImageClassifier Library { get; private set; } = null!;

    internal OnnxClassifier Classifier => _app.Services.GetRequiredService<OnnxClassifier>();

    private string ModelPath => _dir.File("int8.onnx");

    public async Task InitializeAsync()
    {
        QuantizedTinyModels.WriteInt8Cnn(_dir.File("float.onnx"), ModelPath);
        Library = ImageClassifier.Load(ModelPath, new OnnxModelOptions { Provider = ExecutionProvider.Cpu, IntraOpThreads = 1 });
        string[] args =
        [
            "--model", ModelPath,
            "--Logging:LogLevel:Default", "Warning",
            "--Classifier:Provider", "Cpu",
            "--Classifier:IntraOpThreads", "1",
            "--Classifier:Reload:Enabled", "false",
            "--Shutdown:Drain", "00:00:00",
        ];
        _app = ServiceApp.Build(args, services => services.AddSingleton<IServer, TestServer>());
        await _app.StartAsync();
        await _app.Services.GetRequiredService<OnnxClassifier>().StartAsync();
        var server = (TestServer)_app.Services.GetRequiredService<IServer>();
        Http = server.CreateClient();
        Channel = GrpcChannel.ForAddress(server.BaseAddress, new GrpcChannelOptions { HttpHandler = server.CreateHandler() });
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Library.Dispose();
        _dir.Dispose();
    }
}

/// <summary>
/// The INT8 model served as any float model is: /v1 images, /v2 tensors over REST and gRPC answer what the library
/// answers, and /v2 metadata shows the float input it takes.
/// </summary>
public sealed class QuantizedModelTests(QuantizedService service) : IClassFixture<QuantizedService>
{
    private HttpClient Http => service.Http;

    private GrpcChannel Channel => service.Channel;

    private ImageClassifier Library => service.Library;

    private static (byte[] Png, byte[] Pixels) Digit(int index)
    {
        var (images, _) = MnistSample.LoadTest(index + 1);
        using var image = Image.LoadPixelData<L8>(images[index], 28, 28);
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return (stream.ToArray(), images[index]);
    }

    private float[] Prepared(byte[] png)
    {
        var values = new float[784];
        Library.Preprocessor.Process(png, "digit.png", values);
        return values;
    }

    [Fact]
    public async Task TheServiceLoadsItAndItsIntegrityRecordHolds()
    {
        var status = service.Classifier.GetStatus();

        Assert.True(status.IsReady);
        Assert.Equal(IntegrityStatus.Verified, Library.Model.Info.Integrity.Status);
        Assert.Equal(QuantizationFormat.Int8Qdq, Library.Model.Info.Card!.Quantization!.Format);
        using var ready = await Http.GetAsync("/v2/models/int8/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public async Task V1AnswersWhatTheLibraryAnswers(int index)
    {
        var (png, _) = Digit(index);
        var want = Library.Classify(png, "digit.png");

        using var response = await Http.PostAsync("/v1/classify", new ByteArrayContent(png) { Headers = { { "Content-Type", "image/png" } } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await RunningService.JsonAsync(response);
        Assert.Equal(want.LabelName, json.GetProperty("label").GetString());
        Assert.Equal(want.Confidence, json.GetProperty("confidence").GetSingle());
    }

    [Fact]
    public async Task V2RestAndGrpcAnswerWhatTheLibraryAnswersForFloatTensors()
    {
        var (png, _) = Digit(3);
        var input = Prepared(png);
        var want = Library.Model.Classify(input, 1)[0].Probabilities;

        using var rest = await Http.PostAsync("/v2/models/int8/infer",
            new StringContent(ImageJson(input, """[{"name":"probabilities"}]"""), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        Assert.Equal(want, Floats(Output(await RunningService.JsonAsync(rest), "probabilities").GetProperty("data")));

        var client = new GRPCInferenceService.GRPCInferenceServiceClient(Channel);
        var request = new ModelInferRequest { ModelName = "int8" };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { 1, 1, 28, 28 } });
        request.RawInputContents.Add(ByteString.CopyFrom(Bytes(input)));
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "probabilities" });
        var response = await client.ModelInferAsync(request);
        Assert.Equal(want, MemoryMarshal.Cast<byte, float>(response.RawOutputContents[0].Span).ToArray());
    }

    [Fact]
    public async Task MetadataShowsTheSameFloatInputAsTheFloatModel()
    {
        using var metadata = await Http.GetAsync("/v2/models/int8");
        var json = await RunningService.JsonAsync(metadata);
        var input = json.GetProperty("inputs")[0];

        Assert.Equal("input", input.GetProperty("name").GetString());
        Assert.Equal("FP32", input.GetProperty("datatype").GetString());
        Assert.Equal([-1L, 1, 28, 28], Shape(input));
        Assert.All(json.GetProperty("outputs").EnumerateArray(), o => Assert.Equal("FP32", o.GetProperty("datatype").GetString()));

        var grpc = await new GRPCInferenceService.GRPCInferenceServiceClient(Channel).ModelMetadataAsync(new ModelMetadataRequest { Name = "int8" });
        Assert.Equal("FP32", grpc.Inputs.Single().Datatype);
        Assert.Equal([-1L, 1, 28, 28], grpc.Inputs.Single().Shape);
    }
}
