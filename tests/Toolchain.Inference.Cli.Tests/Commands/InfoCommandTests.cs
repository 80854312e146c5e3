using System.Text.Json;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Cli.Tests.Commands;

public sealed class InfoCommandTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Info_prints_inputs_outputs_opset_every_card_field_and_the_providers()
    {
        var model = _files.ImageModel();

        var r = CliRun.Infer("info", "--model", model);

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("input: float32", r.Out);
        Assert.Contains("logits: float32", r.Out);
        Assert.Contains("opset       13", r.Out);
        foreach (var (key, value) in TinyOnnxModels.ImageCard().ToMetadata())
        {
            Assert.Contains($"{key}", r.Out);
            Assert.Contains(value, r.Out);
        }
        Assert.Matches(@"toolchain\.export\.max_abs_diff\s+\(not set\)", r.Out);
        Assert.Matches(@"cpu\s+works", r.Out);
        Assert.Matches(@"cuda\s+(works|unavailable)", r.Out);
    }

    [Fact]
    public void Info_in_json_mode_prints_one_object_with_the_card()
    {
        var model = _files.ImageModel();

        var r = CliRun.Infer("info", "--model", model, "--json");

        using var doc = JsonDocument.Parse(r.OutLines.Single());
        Assert.Equal("multiclass", doc.RootElement.GetProperty("card").GetProperty("toolchain.task").GetString());
        Assert.True(doc.RootElement.GetProperty("providers").GetProperty("cpu").GetProperty("works").GetBoolean());
        Assert.Equal(["file", "inputs", "outputs", "opset", "producer", "doc_string", "integrity", "card", "providers"],
            doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("card").GetProperty("toolchain.export.max_abs_diff").ValueKind);
        Assert.Equal(["cuda", "cpu"], doc.RootElement.GetProperty("providers").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Info_describes_a_model_without_a_card_without_asking_for_its_input_shape()
    {
        var model = TinyOnnxModels.WriteForeignImageClassifier(_files.PathOf("foreign.onnx"));

        var r = CliRun.Infer("info", "--model", model);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Error);
        Assert.Matches(@"inputs\s+x: float32 \[N,1,28,28\]", r.Out);
        Assert.Matches(@"outputs\s+y: float32 \[N,10\]", r.Out);
        Assert.Matches(@"opset\s+13", r.Out);
        Assert.Contains("model card: none (foreign model; to run it, give --input-shape, --mean, --std and --labels)", r.OutLines);
        Assert.Matches(@"cpu\s+works", r.Out);
    }

    [Fact]
    public void Info_in_json_mode_gives_a_model_without_a_card_a_null_card()
    {
        var model = TinyOnnxModels.WriteForeignImageClassifier(_files.PathOf("foreign.onnx"));

        var r = CliRun.Infer("info", "--model", model, "--json");

        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.OutLines.Single());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("card").ValueKind);
        Assert.Equal("x: float32 [N,1,28,28]", doc.RootElement.GetProperty("inputs")[0].GetString());
    }
}
