using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Toolchain.Contracts;
using Toolchain.Inference.Imaging;
using Toolchain.Inference.Runtime;
using Toolchain.Trainer.Onnx;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Tests.Onnx;

/// <summary><c>--input uint8</c>: the graph takes raw pixels and scales and normalises them itself, verified as before.</summary>
public sealed class PixelInputExportTests
{
    [Fact]
    public void A_pixel_graph_takes_uint8_says_so_in_its_card_and_matches_the_float_graph_on_the_same_pixels()
    {
        using var fixture = new ExportFixture("conv(4,3,pad=1) relu maxpool(2) flatten linear(10)", [1, 28, 28]);
        // Real verification inputs are normalised pixels, as the trainer's data loader makes them.
        using var pixels = randint(0, 256, [16, 1, 28, 28], ScalarType.Byte, generator: new Generator(5));
        using var normalised = pixels.to_type(ScalarType.Float32).div(255f).sub(0.1307f).div(0.3081f);
        var request = fixture.Request() with { VerificationInputs = normalised };

        var floatGraph = OnnxExporter.Export(request, fixture.PathFor("float.onnx"));
        var pixelGraph = OnnxExporter.Export(request with { PixelInput = true }, fixture.PathFor("uint8.onnx"));

        Assert.True(pixelGraph.MaxAbsDiff <= 1e-5, $"parity {pixelGraph.MaxAbsDiff}");
        Assert.Equal(ElementType.UInt8, pixelGraph.Card.ElementType);
        Assert.True(pixelGraph.Card.NormalizationInGraph);
        Assert.False(floatGraph.Card.NormalizationInGraph);
        // The loader checks the file's integrity record (pixel reference inputs) and takes the uint8 input.
        using var model = OnnxModel.Load(pixelGraph.Path, new OnnxModelOptions { Provider = ExecutionProvider.Cpu, IntraOpThreads = 1 });
        Assert.Equal(IntegrityStatus.Verified, model.Info.Integrity.Status);
        Assert.Equal(ElementType.UInt8, model.Info.ElementType);
        Assert.True(model.Info.Card.NormalizationInGraph);

        // Same pixels: the uint8 graph on the bytes, the float graph on the normalised floats.
        using var session = new InferenceSession(fixture.PathFor("float.onnx"));
        var bytes = pixels.narrow(0, 0, 2).contiguous().data<byte>().ToArray();
        var floats = normalised.narrow(0, 0, 2).contiguous().data<float>().ToArray();
        using var floatInput = OrtValue.CreateTensorValueFromMemory(floats, [2, 1, 28, 28]);
        using var floatOut = session.Run(new RunOptions(), ["input"], [floatInput], ["probabilities"]);
        var want = floatOut[0].GetTensorDataAsSpan<float>().ToArray();
        var got = model.Classify(bytes.Select(b => (float)b).ToArray(), 2).SelectMany(p => p.Probabilities).ToArray();
        Assert.Equal(want.Length, got.Length);
        Assert.All(want.Zip(got), pair => Assert.Equal(pair.First, pair.Second, 1e-5));
    }

    [Fact]
    public void A_colour_folder_model_classifies_a_picture_alike_through_its_uint8_and_its_float_graph()
    {
        // An image-folder model (resize mode, a mean and std per channel): the library must hand its uint8 graph pixels
        // 0-255, not the [0,1] values it hands the float graph (which the uint8 input would round to 0 or 1).
        using var fixture = new ExportFixture("conv(4,3,pad=1) relu flatten linear(3)", [3, 8, 8]);
        double[] means = [0.5, 0.4, 0.3], stds = [0.2, 0.25, 0.3];
        using var pixels = randint(0, 256, [16, 3, 8, 8], ScalarType.Byte, generator: new Generator(5));
        using var normalised = pixels.to_type(ScalarType.Float32).div(255f)
            .sub(tensor(means.Select(m => (float)m).ToArray()).view(1, 3, 1, 1))
            .div(tensor(stds.Select(s => (float)s).ToArray()).view(1, 3, 1, 1));
        var card = fixture.Card() with
        {
            Labels = ["red", "green", "blue"],
            PixelConvention = PixelConvention.AsStored,
            PreprocessingMode = PreprocessingMode.Resize,
            ChannelMeans = means,
            ChannelStds = stds,
        };
        var request = fixture.Request() with { Card = card, VerificationInputs = normalised };
        var floatPath = OnnxExporter.Export(request, fixture.PathFor("float.onnx")).Path;
        var pixelPath = OnnxExporter.Export(request with { PixelInput = true }, fixture.PathFor("uint8.onnx")).Path;
        // A picture of the input's own size, so resizing leaves every pixel as it is and both graphs see the same values.
        using var image = new Image<Rgb24>(8, 8);
        var rng = new Random(3);
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < 8; y++)
            {
                foreach (ref var p in rows.GetRowSpan(y))
                {
                    p = new Rgb24((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256));
                }
            }
        });
        using var png = new MemoryStream();
        image.SaveAsPng(png);

        var options = new OnnxModelOptions { Provider = ExecutionProvider.Cpu, IntraOpThreads = 1 };
        using var floatModel = new ImageClassifier(OnnxModel.Load(floatPath, options), ownsModel: true);
        using var pixelModel = new ImageClassifier(OnnxModel.Load(pixelPath, options), ownsModel: true);
        var want = floatModel.Classify(png.ToArray(), "random.png");
        var got = pixelModel.Classify(png.ToArray(), "random.png");

        Assert.Equal(want.Label, got.Label);
        Assert.All(want.Probabilities.Zip(got.Probabilities), pair => Assert.Equal(pair.First, pair.Second, 1e-4));
    }

    [Fact]
    public void Only_float32_image_models_take_pixels()
    {
        using var fixture = new ExportFixture("linear(2)", [3]);
        var error = Assert.Throws<ToolchainException>(() => OnnxExporter.Export(fixture.Request() with { PixelInput = true }, fixture.PathFor()));
        Assert.Contains("--input uint8 is for float32 image models", error.Message);
        Assert.False(File.Exists(fixture.PathFor()));
    }
}
