using Toolchain.Contracts;
using Toolchain.Inference.Runtime;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Tests.Runtime;

public sealed class OnnxModelTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static OnnxModelOptions Cpu => new() { Provider = ExecutionProvider.Cpu, IntraOpThreads = 1 };

    [Fact]
    public void Load_reads_the_model_card_into_ModelInfo()
    {
        using var model = OnnxModel.Load(TinyOnnxModels.WriteImageClassifier(_dir.File("m.onnx")), Cpu);

        Assert.Equal(ExecutionProvider.Cpu, model.ActiveProvider);
        Assert.False(model.Info.IsForeign);
        Assert.Equal(ModelTask.Multiclass, model.Info.Task);
        Assert.Equal("input", model.Info.InputName);
        Assert.Equal([-1L, 1, 28, 28], model.Info.InputShape);
        Assert.Equal(ElementType.Float32, model.Info.ElementType);
        Assert.Equal("probabilities", model.Info.OutputName);
        Assert.True(model.Info.OutputIsProbability);
        Assert.Equal(0.1307, model.Info.Mean);
        Assert.Equal(0.3081, model.Info.Std);
        Assert.Equal(PreprocessingMode.Digit, model.Info.PreprocessingMode);
        Assert.Equal("digit 3", model.Info.Labels[3]);
        Assert.Equal(13, model.Info.Opset);
        Assert.Equal(784, model.FeatureCount);
        Assert.Equal(10, model.ClassCount);
        Assert.Contains("input: float32 [N,1,28,28]", model.Info.Inputs);
        Assert.Contains("logits: float32 [N,10]", model.Info.Outputs);
    }

    [Fact]
    public void Describe_reads_a_model_without_a_card_that_Load_refuses_without_its_input_description()
    {
        var path = TinyOnnxModels.WriteForeignImageClassifier(_dir.File("foreign.onnx"));

        var info = OnnxModel.Describe(path);

        Assert.True(info.IsForeign);
        Assert.Equal(13, info.Opset);
        Assert.Contains(info.Inputs, i => i.StartsWith("x: float32", StringComparison.Ordinal));
        Assert.Contains(info.Outputs, o => o.StartsWith("y: float32", StringComparison.Ordinal));
        Assert.ThrowsAny<ToolchainException>(() => OnnxModel.Load(path, Cpu).Dispose());
    }

    [Fact]
    public void Describe_refuses_a_file_that_is_not_onnx_like_Load()
    {
        var path = _dir.File("text.onnx");
        File.WriteAllText(path, "not a model");

        var e = Assert.Throws<InvalidInputFileException>(() => OnnxModel.Describe(path));

        Assert.Equal(path, e.FilePath);
    }

    [Fact]
    public void Classify_picks_the_lit_band_with_softmax_probabilities()
    {
        using var model = OnnxModel.Load(TinyOnnxModels.WriteImageClassifier(_dir.File("m.onnx")), Cpu);
        var batch = Enumerable.Range(0, 10).SelectMany(c => TinyOnnxModels.ImageForClass(c)).ToArray();

        var predictions = model.Classify(batch, 10);

        Assert.Equal(Enumerable.Range(0, 10), predictions.Select(p => p.Label));
        Assert.Equal("digit 7", predictions[7].LabelName);
        // Band c sums 84 ones (3 columns × 28 rows) / 28 = logit 3 against 0 elsewhere; the last band is 1 column: logit 1.
        var expected = MathF.Exp(3) / (MathF.Exp(3) + 9);
        Assert.Equal(expected, predictions[0].Confidence, 5);
        Assert.Equal(MathF.Exp(1) / (MathF.Exp(1) + 9), predictions[9].Confidence, 5);
        Assert.All(predictions, p => Assert.Equal(1f, p.Probabilities.Sum(), 5));
    }

    [Fact]
    public void Classify_applies_softmax_itself_when_the_model_has_only_logits()
    {
        using var withSoftmax = OnnxModel.Load(TinyOnnxModels.WriteImageClassifier(_dir.File("a.onnx")), Cpu);
        using var logitsOnly = OnnxModel.Load(TinyOnnxModels.WriteImageClassifier(_dir.File("b.onnx"), withProbabilities: false), Cpu);
        var image = TinyOnnxModels.ImageForClass(4, on: 0.7f, off: 0.1f);

        var a = withSoftmax.Classify(image, 1)[0];
        var b = logitsOnly.Classify(image, 1)[0];

        Assert.False(logitsOnly.Info.OutputIsProbability);
        Assert.Equal("logits", logitsOnly.Info.OutputName);
        Assert.Equal(4, b.Label);
        for (var c = 0; c < 10; c++)
        {
            Assert.Equal(a.Probabilities[c], b.Probabilities[c], 5);
        }
    }

    [Fact]
    public void A_float64_binary_model_returns_one_minus_p_and_p_with_threshold_one_half()
    {
        using var model = OnnxModel.Load(TinyOnnxModels.WriteBinary(_dir.File("xor.onnx")), Cpu);
        float[] inputs = [0, 0, 1, 1, 0.25f, 0.75f, 2, -2.5f];

        var predictions = model.Classify(inputs, 4);

        Assert.Equal(ElementType.Float64, model.Info.ElementType);
        Assert.Equal(2, model.ClassCount);
        var p0 = 1 / (1 + Math.Exp(1));
        Assert.Equal([(float)(1 - p0), (float)p0], predictions[0].Probabilities);
        Assert.Equal(0, predictions[0].Label);
        Assert.Equal("negative", predictions[0].LabelName);
        Assert.Equal(1, predictions[1].Label);
        Assert.Equal("positive", predictions[1].LabelName);
        Assert.Equal((float)(1 / (1 + Math.Exp(-1))), predictions[1].Confidence, 6);
        Assert.Equal(0, predictions[2].Label); // p = 0.5 exactly is not above the threshold
        Assert.Equal(0.5f, predictions[2].Probabilities[1]);
        Assert.Equal(0, predictions[3].Label);
    }

    [Fact]
    public void A_float64_graph_takes_floats_widened_inside_the_model()
    {
        using var model = OnnxModel.Load(TinyOnnxModels.WriteBinary(_dir.File("xor.onnx")), Cpu);

        // The binary tiny model is sigmoid(x0 + x1 - 1): (1, 1) gives sigmoid(1), (0, 0) sigmoid(-1).
        var predictions = model.Classify([1f, 1f, 0f, 0f], 2);

        Assert.Equal(ElementType.Float64, model.Info.ElementType);
        Assert.Equal(1 / (1 + Math.Exp(-1)), predictions[0].Probabilities[1], 6);
        Assert.Equal(1 / (1 + Math.Exp(1)), predictions[1].Probabilities[1], 6);
    }

    [Fact]
    public void A_count_that_does_not_match_the_span_length_is_refused_with_both_numbers()
    {
        using var model = OnnxModel.Load(TinyOnnxModels.WriteImageClassifier(_dir.File("m.onnx")), Cpu);

        var e = Assert.Throws<ToolchainException>(() => model.Classify(new float[784 * 2 + 1], 2));

        Assert.All(["1569", "2 examples", "[1,28,28]", "1568"], fact => Assert.Contains(fact, e.Message));
    }

    [Fact]
    public void RunProbabilities_fills_the_callers_buffer_and_refuses_a_short_one()
    {
        using var model = OnnxModel.Load(TinyOnnxModels.WriteImageClassifier(_dir.File("m.onnx")), Cpu);
        var batch = TinyOnnxModels.ImageForClass(2).Concat(TinyOnnxModels.ImageForClass(5)).ToArray();
        var probs = new float[20];

        model.RunProbabilities(batch, 2, probs);

        Assert.Equal(2, OnnxModel.ArgMax(probs.AsSpan(0, 10)));
        Assert.Equal(5, OnnxModel.ArgMax(probs.AsSpan(10, 10)));
        var e = Assert.Throws<ToolchainException>(() => model.RunProbabilities(batch, 2, new float[19]));
        Assert.Contains("19", e.Message);
    }

    [Fact]
    public void An_empty_batch_gives_no_predictions()
    {
        using var model = OnnxModel.Load(TinyOnnxModels.WriteImageClassifier(_dir.File("m.onnx")), Cpu);

        Assert.Empty(model.Classify(ReadOnlySpan<float>.Empty, 0));
    }

    [Fact]
    public void Parallel_classification_gives_the_same_results_as_serial()
    {
        using var model = OnnxModel.Load(TinyOnnxModels.WriteImageClassifier(_dir.File("m.onnx")), Cpu);
        var rng = new Random(7);
        var images = Enumerable.Range(0, 64).Select(_ => Enumerable.Range(0, 784).Select(_ => (float)rng.NextDouble()).ToArray()).ToArray();
        var serial = images.Select(im => model.Classify(im, 1)[0]).ToArray();

        var parallel = new Prediction[images.Length];
        Parallel.For(0, images.Length * 4, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => parallel[i % images.Length] = model.Classify(images[i % images.Length], 1)[0]);

        for (var i = 0; i < images.Length; i++)
        {
            Assert.Equal(serial[i].Label, parallel[i].Label);
            Assert.Equal(serial[i].Probabilities, parallel[i].Probabilities);
        }
    }

    [Fact]
    public void A_disposed_model_refuses_calls_and_can_be_disposed_twice()
    {
        var model = OnnxModel.Load(TinyOnnxModels.WriteImageClassifier(_dir.File("m.onnx")), Cpu);

        model.Dispose();
        model.Dispose();

        Assert.Throws<ObjectDisposedException>(() => model.Classify(new float[784], 1));
    }

    [Fact]
    public void A_foreign_model_without_an_input_description_fails_saying_what_is_missing()
    {
        var path = TinyOnnxModels.WriteForeignImageClassifier(_dir.File("foreign.onnx"));

        var e = Assert.Throws<InvalidInputFileException>(() => OnnxModel.Load(path, Cpu));

        Assert.Equal(path, e.FilePath);
        Assert.Contains("no toolchain model card", e.Message);
        Assert.Contains("input shape, mean, std", e.Message);
    }

    [Fact]
    public void A_foreign_model_runs_with_the_callers_input_description_and_detects_logits()
    {
        var path = TinyOnnxModels.WriteForeignImageClassifier(_dir.File("foreign.onnx"));
        var options = Cpu;
        options.ForeignInput = new ForeignModelInput { InputShape = [-1, 1, 28, 28], Mean = 0.5, Std = 0.25 };

        using var model = OnnxModel.Load(path, options);
        var prediction = model.Classify(TinyOnnxModels.ImageForClass(6), 1)[0];

        Assert.True(model.Info.IsForeign);
        Assert.Equal("x", model.Info.InputName);
        Assert.Equal("y", model.Info.OutputName);
        Assert.Equal(0.25, model.Info.Std);
        Assert.Equal(6, prediction.Label);
        Assert.Equal("6", prediction.LabelName);
        Assert.Equal(MathF.Exp(3) / (MathF.Exp(3) + 9), prediction.Confidence, 5);
    }

    [Fact]
    public void A_foreign_model_with_a_fixed_batch_of_one_classifies_a_batch_in_chunks()
    {
        var path = TinyOnnxModels.WriteForeignImageClassifier(_dir.File("foreign1.onnx"), fixedBatch: 1);
        var options = Cpu;
        options.ForeignInput = new ForeignModelInput { InputShape = [-1, 1, 28, 28], Mean = 0, Std = 1, Labels = Enumerable.Range(0, 10).Select(i => $"c{i}").ToArray() };

        using var model = OnnxModel.Load(path, options);
        var predictions = model.Classify(TinyOnnxModels.ImageForClass(1).Concat(TinyOnnxModels.ImageForClass(8)).ToArray(), 2);

        Assert.Equal(["c1", "c8"], predictions.Select(p => p.LabelName));
    }

    [Fact]
    public void A_foreign_input_shape_that_contradicts_the_graph_is_refused()
    {
        var path = TinyOnnxModels.WriteForeignImageClassifier(_dir.File("foreign.onnx"));
        var options = Cpu;
        options.ForeignInput = new ForeignModelInput { InputShape = [-1, 784], Mean = 0, Std = 1 };

        var e = Assert.Throws<InvalidInputFileException>(() => OnnxModel.Load(path, options));

        Assert.Equal(path, e.FilePath);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("[-1,784]", e.Problem);
        Assert.Contains("[-1,1,28,28]", e.Problem);
    }
}
