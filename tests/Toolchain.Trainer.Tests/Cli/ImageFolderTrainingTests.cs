using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Toolchain.Contracts;
using Toolchain.Inference.Imaging;
using Toolchain.Inference.Runtime;
using Toolchain.Trainer.Cli;
using Toolchain.Trainer.Tests.Training;

namespace Toolchain.Trainer.Tests.Cli;

[Collection(TorchRandomState.Name)]
public class ImageFolderTrainingTests
{
    [Fact]
    public void A_colour_image_folder_trains_and_its_model_classifies_PNGs_by_its_card()
    {
        using var dir = new TempDir();
        var data = Path.Combine(dir.Path, "data");
        // Red and blue squares of 10×10 (resized to the chosen 8×8), 12 of each.
        for (int i = 0; i < 12; i++)
        {
            foreach (var (name, colour) in new[] { ("red", new Rgb24((byte)(150 + i), 20, 20)), ("blue", new Rgb24(20, 20, (byte)(150 + i))) })
            {
                Directory.CreateDirectory(Path.Combine(data, name));
                using var image = new Image<Rgb24>(10, 10, colour);
                image.SaveAsPng(Path.Combine(data, name, $"{i}.png"));
            }
        }
        var outDir = Path.Combine(dir.Path, "out");
        var output = new StringWriter();
        var error = new StringWriter();

        int code = TrainCommand.Run(["cnn", "--dataset", data, "--image-size", "8", "--epochs", "3", "--lr", "0.01", "--out", outDir], output, error, CancellationToken.None);

        Assert.True(code == 0, error.ToString());
        // Into a log (not a terminal) the decode progress is whole lines, ending at the count, with no carriage returns.
        Assert.Contains("decoding images: 24/24\n", output.ToString().ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.DoesNotContain("\rdecoding", output.ToString(), StringComparison.Ordinal);
        using var model = OnnxModel.Load(Path.Combine(outDir, "model.onnx"));
        var card = model.Info.Card!;
        Assert.Equal([-1L, 3, 8, 8], card.InputShape);
        Assert.Equal(PixelConvention.AsStored, card.PixelConvention);
        Assert.Equal(PreprocessingMode.Resize, card.PreprocessingMode);
        Assert.Equal(3, card.ChannelMeans.Count);
        Assert.Equal(0.2, card.TestFraction);
        Assert.Equal(["blue", "red"], card.Labels);
        using var classifier = new ImageClassifier(model);
        using var big = new Image<Rgb24>(40, 30, new Rgb24(20, 20, 170));
        using var stream = new MemoryStream();
        big.SaveAsPng(stream);
        Assert.Equal("blue", classifier.Classify(stream.ToArray(), "blue.png").LabelName);
    }
}
