using System.Text.Json;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Cli.Tests.Evaluation;

/// <summary>
/// A uint8 graph that normalises its own input (<c>--input uint8</c>, and what quantizing one keeps) is evaluated on
/// the pixels themselves: infer eval gives it the float model's accuracy, not that of images rounded to 0 and 1.
/// </summary>
public sealed class PixelModelEvalTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private double Accuracy(string model, string data)
    {
        var result = CliRun.Infer("eval", "--provider", "cpu", "--model", model, "--dataset", data, "--json", "--out", _files.PathOf(Guid.NewGuid().ToString("N")));
        Assert.Equal(0, result.ExitCode);
        return JsonDocument.Parse(result.Out).RootElement.GetProperty("accuracy").GetDouble();
    }

    [Fact]
    public void A_uint8_model_scores_what_its_float_model_scores()
    {
        var data = _files.IdxDataset("idx", new Dictionary<int, byte> { [13] = 5 });
        var floats = _files.ImageModel(folder: "float");
        Directory.CreateDirectory(_files.PathOf("pixels"));
        var pixels = TinyOnnxModels.WritePixelImageClassifier(_files.PathOf("pixels/model.onnx"));

        Assert.Equal(0.95, Accuracy(floats, data), 12);
        Assert.Equal(Accuracy(floats, data), Accuracy(pixels, data), 12);
    }
}
