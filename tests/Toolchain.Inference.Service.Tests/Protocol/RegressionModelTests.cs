using System.Net;
using System.Text;
using Toolchain.TestSupport;
using static Toolchain.Inference.Service.Tests.Protocol.ProtocolRequests;

namespace Toolchain.Inference.Service.Tests.Protocol;

/// <summary>
/// A two-target table regression served beside the image model that /v1 classifies with: /v2 answers its FP32 "value"
/// tensor in the targets' units (worked out by hand, <see cref="TinyOnnxModels.RegressionValues"/>); the classification
/// extension is a 400 that says the model is a regression, and the service keeps answering. As /v1's model (--model)
/// it is refused at load, saying why.
/// </summary>
public sealed class RegressionModelTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private RunningService _service = null!;

    private string ModelPath => _dir.File("houses.onnx");

    public async Task InitializeAsync()
    {
        TinyOnnxModels.WriteTableRegression(ModelPath, targets: 2);
        _service = await RunningService.StartAsync(TinyOnnxModels.WriteImageClassifier(_dir.File("digits.onnx")), ("Models:houses:Path", ModelPath));
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        _dir.Dispose();
    }

    private const string TwoRows = """{"inputs":[{"name":"input","shape":[2,3],"datatype":"FP32","data":[14,20,30,8,16,40]}]}""";

    [Fact]
    public async Task V2AnswersTheFp32ValueTensorInTheTargetsUnits()
    {
        using var response = await PostJsonAsync(TwoRows);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var value = Output(await RunningService.JsonAsync(response), "value");
        Assert.Equal("FP32", value.GetProperty("datatype").GetString());
        Assert.Equal([2L, 2], Shape(value));
        double[] want = [.. TinyOnnxModels.RegressionValues(14, 20, 30), .. TinyOnnxModels.RegressionValues(8, 16, 40)];
        var got = Floats(value.GetProperty("data"));
        Assert.Equal(want.Length, got.Length);
        for (int i = 0; i < want.Length; i++)
        {
            Assert.Equal(want[i], got[i], 1e-4);
        }
    }

    [Fact]
    public async Task MetadataGivesTheValueOutputOneColumnPerTarget()
    {
        using var metadata = await _service.Client.GetAsync("/v2/models/houses");

        Assert.Equal(HttpStatusCode.OK, metadata.StatusCode);
        var output = Assert.Single((await RunningService.JsonAsync(metadata)).GetProperty("outputs").EnumerateArray());
        Assert.Equal("value", output.GetProperty("name").GetString());
        Assert.Equal([-1L, 2], Shape(output));
    }

    [Fact]
    public async Task TheClassificationExtensionIsA400ThatSaysTheModelIsARegression()
    {
        using var response = await PostJsonAsync(
            """{"inputs":[{"name":"input","shape":[1,3],"datatype":"FP32","data":[14,20,30]}],"outputs":[{"name":"value","parameters":{"classification":1}}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await RunningService.JsonAsync(response)).GetProperty("error").GetString()!;
        Assert.Contains("regression model", error, StringComparison.Ordinal);
        Assert.Contains("'price', 'weight'", error, StringComparison.Ordinal);

        using var after = await PostJsonAsync(TwoRows);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task AsV1sModelItIsRefusedAtLoadSayingItIsARegression()
    {
        await using var service = await RunningService.StartAsync(ModelPath);

        Assert.False(service.Classifier.IsReady);
        var reason = service.Classifier.GetStatus().LastFailure!;
        Assert.Contains("regression model", reason, StringComparison.Ordinal);
        Assert.Contains("price, weight", reason, StringComparison.Ordinal);
        using var response = await service.PostImageAsync(LabelledTinyModels.Png(3));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    private Task<HttpResponseMessage> PostJsonAsync(string json) =>
        _service.Client.PostAsync("/v2/models/houses/infer", new StringContent(json, Encoding.UTF8, "application/json"));
}
