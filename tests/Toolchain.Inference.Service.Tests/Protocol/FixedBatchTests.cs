using System.Net;
using Toolchain.TestSupport;
using static Toolchain.Inference.Service.Tests.Protocol.ProtocolRequests;

namespace Toolchain.Inference.Service.Tests.Protocol;

/// <summary>
/// Graphs with a fixed batch size (a model exported at batch 1 or 3 by another tool) behind the batcher: concurrent
/// one-row requests all succeed (batches are capped at the graph's size, short runs are filled up), and the
/// protocol's metadata shows the graph's real shape.
/// </summary>
public sealed class FixedBatchTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private RunningService _service = null!;

    public async Task InitializeAsync()
    {
        var b1 = TinyOnnxModels.WriteImageClassifier(_dir.File("b1.onnx"), fixedBatch: 1);
        var b3 = TinyOnnxModels.WriteImageClassifier(_dir.File("b3.onnx"), fixedBatch: 3);
        _service = await RunningService.StartAsync(b1, ("Models:b3:Path", b3));
        await Eventually.TrueAsync(async () =>
        {
            using var ready = await _service.Client.GetAsync("/v2/models/b3/ready");
            return ready.StatusCode == HttpStatusCode.OK;
        }, "model b3 loads");
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        _dir.Dispose();
    }

    [Theory]
    [InlineData("b1", "1,1,28,28")]
    [InlineData("b3", "3,1,28,28")]
    public async Task Metadata_shows_the_graphs_batch_size(string model, string shape)
    {
        using var response = await _service.Client.GetAsync($"/v2/models/{model}");
        var json = await RunningService.JsonAsync(response);

        Assert.Equal(shape, string.Join(',', Shape(json.GetProperty("inputs")[0])));
        Assert.Equal(shape[..1] + ",10", string.Join(',', Shape(Output(json, "probabilities"))));
    }

    [Theory]
    [InlineData("b1")]
    [InlineData("b3")]
    public async Task Concurrent_one_row_requests_all_get_their_own_answer(string model)
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            using var response = await _service.Client.PostAsync($"/v2/models/{model}/infer", Json(ImageJson(Band(i % 10))));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var probabilities = Floats(Output(await RunningService.JsonAsync(response), "probabilities").GetProperty("data"));
            return (Expected: i % 10, Got: Array.IndexOf(probabilities, probabilities.Max()));
        }));

        Assert.All(answers, a => Assert.Equal(a.Expected, a.Got));
    }

    [Fact]
    public async Task A_graph_fixed_at_three_answers_two_rows_and_refuses_four()
    {
        var rows = Band(2).Concat(Band(7)).ToArray();
        using var two = await _service.Client.PostAsync("/v2/models/b3/infer",
            Json($$"""{"inputs":[{"name":"input","shape":[2,1,28,28],"datatype":"FP32","data":[{{Numbers(rows)}}]}]}"""));
        using var four = await _service.Client.PostAsync("/v2/models/b3/infer",
            Json($$"""{"inputs":[{"name":"input","shape":[4,1,28,28],"datatype":"FP32","data":[{{Numbers(rows.Concat(rows))}}]}]}"""));

        Assert.Equal(HttpStatusCode.OK, two.StatusCode);
        var output = Output(await RunningService.JsonAsync(two), "probabilities");
        Assert.Equal([2L, 10], Shape(output));
        var probabilities = Floats(output.GetProperty("data"));
        Assert.Equal([2, 7], new[] { probabilities[..10], probabilities[10..] }.Select(p => Array.IndexOf(p, p.Max())));
        Assert.Equal(HttpStatusCode.BadRequest, four.StatusCode);
        Assert.Contains("the most model 'b3' takes (3 rows of 784)", (await RunningService.JsonAsync(four)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task V1_classifies_concurrently_on_a_graph_fixed_at_one()
    {
        var labels = await Task.WhenAll(Enumerable.Range(0, 16).Select(async i =>
        {
            using var response = await _service.PostImageAsync(LabelledTinyModels.Png(i % 10));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await RunningService.JsonAsync(response)).GetProperty("label").GetString();
        }));

        Assert.Equal(16, labels.Length);
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");
}
