using System.Net;
using System.Text.Json;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Endpoints;

/// <summary>The service verifies the model's integrity record before serving it.</summary>
public sealed class ModelIntegrityServiceTests : IDisposable
{
    // The top exponent bit of w[0]: 1/28 becomes about 1e37.
    private const long ExponentBit = 30;

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string CorruptModel()
    {
        var path = LabelledTinyModels.Write(_dir.File("model.onnx"), "digit ", withIntegrity: true);
        ModelCorruption.FlipInitializerBit(path, "w", ExponentBit);
        return path;
    }

    [Fact]
    public async Task A_corrupted_model_never_makes_the_service_ready_and_readyz_says_why()
    {
        var path = CorruptModel();
        await using var service = await RunningService.StartAsync(path);

        using var ready = await service.Client.GetAsync("/readyz");
        using var classify = await service.PostImageAsync(LabelledTinyModels.Png(1));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains($"{path}: fails its integrity check (the graph or weights differ from the digest recorded at export)",
            await ready.Content.ReadAsStringAsync());
        await ClassifyEndpointTests.AssertProblemAsync(classify, HttpStatusCode.ServiceUnavailable, "fails its integrity check");
    }

    [Fact]
    public async Task With_VerifyIntegrity_off_the_corrupted_model_serves_and_the_model_endpoint_says_it_was_not_checked()
    {
        var path = CorruptModel();
        await using var service = await RunningService.StartAsync(path, ("Classifier:VerifyIntegrity", "false"));

        using var ready = await service.Client.GetAsync("/readyz");
        var json = await RunningService.JsonAsync(await service.Client.GetAsync("/v1/model"));

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("not checked", json.GetProperty("integrity").GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_intact_models_endpoint_reports_it_verified_and_describes_the_reference_instead_of_listing_it()
    {
        var path = LabelledTinyModels.Write(_dir.File("model.onnx"), "digit ", withIntegrity: true);
        await using var service = await RunningService.StartAsync(path);

        var json = await RunningService.JsonAsync(await service.Client.GetAsync("/v1/model"));

        var integrity = json.GetProperty("integrity");
        Assert.Equal("verified", integrity.GetProperty("status").GetString());
        Assert.StartsWith("graph digest ", integrity.GetProperty("detail").GetString());
        var reference = integrity.GetProperty("reference").GetString();
        Assert.All(["4 inputs", "784 float32", "'logits'", "10"], fact => Assert.Contains(fact, reference));
        var card = json.GetProperty("card");
        Assert.Matches("^[0-9a-f]{64}$", card.GetProperty("graph_sha256").GetString());
        Assert.Equal(JsonValueKind.Null, card.GetProperty("reference").ValueKind);
    }
}
