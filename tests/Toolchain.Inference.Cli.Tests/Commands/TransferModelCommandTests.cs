using System.Text.Json;
using Inference;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using Toolchain.Inference.Cli.Tests.Export.Triton;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Cli.Tests.Commands;

/// <summary>
/// A model that <c>trainer train transfer</c> exported (<see cref="TinyTransferModel"/>: preprocessing, an imported
/// backbone, a head and softmax in one graph) goes through classify, eval and export triton as any image model does.
/// </summary>
public sealed class TransferModelCommandTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private string Model()
    {
        Directory.CreateDirectory(_files.PathOf("colours"));
        return TinyTransferModel.Write(_files.PathOf("colours/model.onnx"));
    }

    private string Picture(string name, Rgb24 colour, int width, int height, IImageEncoder? encoder = null)
    {
        var path = _files.PathOf(name);
        File.WriteAllBytes(path, ColourTinyModel.Picture(colour, width, height, encoder));
        return path;
    }

    [Fact]
    public void Classify_resizes_pictures_of_any_size_outside_the_graph_and_names_their_colour()
    {
        var model = Model();
        var red = Picture("red.png", new Rgb24(200, 30, 20), 50, 61);
        var green = Picture("green.jpg", new Rgb24(20, 190, 40), 120, 33, new JpegEncoder { Quality = 90 });
        var blue = Picture("blue.webp", new Rgb24(20, 40, 210), 32, 32, new WebpEncoder { FileFormat = WebpFileFormatType.Lossy });

        var r = CliRun.Infer("classify", "--provider", "cpu", "--model", model, "--json", red, green, blue);

        Assert.True(r.ExitCode == 0, r.Error);
        var labels = r.OutLines.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("name").GetString());
        Assert.Equal(["red", "green", "blue"], labels);
    }

    [Fact]
    public void Eval_on_an_image_folder_reports_the_accuracy_and_export_triton_writes_a_config_of_its_shapes()
    {
        var model = Model();
        var data = _files.PathOf("folder");
        foreach (var (label, colour) in new[] { ("blue", new Rgb24(20, 40, 210)), ("green", new Rgb24(20, 190, 40)), ("red", new Rgb24(200, 30, 20)) })
        {
            Directory.CreateDirectory(Path.Combine(data, label));
            for (int i = 0; i < 5; i++)
            {
                File.WriteAllBytes(Path.Combine(data, label, $"{i}.png"), ColourTinyModel.Picture(colour, 40 + (3 * i), 36));
            }
        }

        var eval = CliRun.Infer("eval", "--provider", "cpu", "--model", model, "--dataset", data, "--out", _files.PathOf("eval"), "--json");

        Assert.True(eval.ExitCode == 0, eval.Error);
        using (var report = JsonDocument.Parse(eval.OutLines.Single()))
        {
            Assert.Equal(1.0, report.RootElement.GetProperty("accuracy").GetDouble());
        }

        var repo = _files.PathOf("repo");
        var export = CliRun.Infer("export", "triton", "--model", model, "--out", repo);

        Assert.True(export.ExitCode == 0, export.Error);
        Assert.Equal(File.ReadAllBytes(model), File.ReadAllBytes(Path.Combine(repo, "colours", "1", "model.onnx")));
        Assert.Equal(TinyTransferModel.Labels, File.ReadAllLines(Path.Combine(repo, "colours", "labels.txt")));
        var config = TritonConfigParser.Parse(File.ReadAllText(Path.Combine(repo, "colours", "config.pbtxt")));
        var input = Assert.Single(config.Input);
        Assert.Equal(("input", DataType.TypeFp32), (input.Name, input.DataType));
        Assert.Equal([3L, TinyTransferModel.Side, TinyTransferModel.Side], input.Dims);
        Assert.Equal(["logits", "probabilities"], config.Output.Select(o => o.Name));
        Assert.All(config.Output, o => Assert.Equal([3L], o.Dims));
    }
}
