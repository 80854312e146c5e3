using Toolchain.Contracts;
using Toolchain.Imaging;
using Toolchain.Inference.Imaging;
using Toolchain.Inference.Runtime;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Tests.Imaging;

public sealed class ImageClassifierTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private ImageClassifier Load(PreprocessingMode? mode = null) =>
        ImageClassifier.Load(TinyOnnxModels.WriteImageClassifier(_dir.File("m.onnx")), new OnnxModelOptions { Provider = ExecutionProvider.Cpu }, mode);

    [Fact]
    public void A_vertical_bar_anywhere_on_a_big_page_is_centred_into_the_middle_band()
    {
        using var classifier = Load();
        // The tiny model scores column bands of 3; digit mode centres the bar's mass on column 14, band 4 (columns 12–14).
        var bar = TestImages.Strokes(400, 300, 14, (330, 40, 330, 260));
        var path = _dir.File("bar.png");
        File.WriteAllBytes(path, TestImages.Encode(bar, 400, 300, ImageStyle.DarkOnLightGray8));

        var prediction = classifier.Classify(path);

        Assert.Equal(4, prediction.Label);
        Assert.Equal("digit 4", prediction.LabelName);
    }

    [Fact]
    public void Raw_mode_classifies_a_28_by_28_image_exactly_where_it_is_drawn()
    {
        using var classifier = Load(PreprocessingMode.None);
        var image = TinyOnnxModels.ImageForClass(8);

        var prediction = classifier.Classify(TestImages.Encode(image, 28, 28, ImageStyle.WhiteOnBlackGray8), "eight.png");

        Assert.Equal(8, prediction.Label);
        Assert.Equal(PreprocessingMode.None, classifier.Preprocessor.Mode);
    }

    [Fact]
    public void The_preprocessing_mode_and_normalisation_come_from_the_model_card()
    {
        using var classifier = Load();

        Assert.Equal(PreprocessingMode.Digit, classifier.Preprocessor.Mode);
        var digits = Assert.IsType<DigitPreprocessor>(classifier.Preprocessor);
        Assert.Equal(0.1307, digits.Mean);
        Assert.Equal(0.3081, digits.Std);
    }

    [Fact]
    public void A_vector_model_cannot_classify_images()
    {
        using var model = OnnxModel.Load(TinyOnnxModels.WriteBinary(_dir.File("xor.onnx")), new OnnxModelOptions { Provider = ExecutionProvider.Cpu });

        var e = Assert.Throws<ToolchainException>(() => new ImageClassifier(model));

        Assert.Contains("[-1,2]", e.Message);
        Assert.Contains("28×28", e.Message);
    }

    [Fact]
    public void Parallel_image_classification_gives_the_same_results_as_serial()
    {
        using var classifier = Load(PreprocessingMode.None);
        var images = Enumerable.Range(0, 10)
            .Select(c => TestImages.Encode(TinyOnnxModels.ImageForClass(c, 0.9f, 0.05f), 28, 28, ImageStyle.WhiteOnBlackGray8)).ToArray();
        var serial = images.Select((b, i) => classifier.Classify(b, $"{i}.png")).ToArray();

        var parallel = new Prediction[40];
        Parallel.For(0, 40, i => parallel[i] = classifier.Classify(images[i % 10], $"{i}.png"));

        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(serial[i % 10].Probabilities, parallel[i].Probabilities);
        }
        Assert.Equal(Enumerable.Range(0, 10), serial.Select(p => p.Label));
    }
}
