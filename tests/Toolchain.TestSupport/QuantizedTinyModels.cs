using Toolchain.Contracts;
using Toolchain.Imaging;
using Toolchain.Inference.Quantization;
using Toolchain.Inference.Quantization.Calibration;
using Toolchain.Inference.Runtime;

namespace Toolchain.TestSupport;

/// <summary>
/// The trained tiny CNN quantized as <c>infer quantize</c> would, through the library, with its accuracy measured on
/// the first test digits of data/mnist-sample; quick settings (few samples, short timing) for tests.
/// </summary>
public static class QuantizedTinyModels
{
    /// <summary>Test digits the tests' evaluator measures on.</summary>
    public const int TestCount = 600;

    /// <summary>Quick options: 128 training digits to calibrate on, one short timing round at batch 1 and 8.</summary>
    public static QuantizationOptions QuickOptions(QuantizationFormat format = QuantizationFormat.Int8Qdq, CalibrationMethod method = CalibrationMethod.MinMax) => new()
    {
        Format = format,
        Method = method,
        Calibration = format == QuantizationFormat.Int8Qdq ? MnistCalibration(128) : null,
        Threads = 1,
        SpeedBatchSizes = [1, 8],
        SpeedRounds = 1,
        SecondsPerRound = 0.05,
    };

    /// <summary>The first <paramref name="count"/> training digits of data/mnist-sample, normalised as MNIST models take them.</summary>
    public static CalibrationData MnistCalibration(int count, double scale = 1)
    {
        var (images, _) = MnistSample.LoadTrain(count);
        return new CalibrationData("mnist-sample", Normalise(images).Select(v => (float)(v * scale)).ToArray(), images.Length);
    }

    /// <summary>The accuracy of the model at <paramref name="path"/> on the first <see cref="TestCount"/> test digits.</summary>
    public static ModelEvaluation Evaluate(string path)
    {
        var (images, labels) = MnistSample.LoadTest(TestCount);
        using var model = OnnxModel.Load(path, new OnnxModelOptions { Provider = ExecutionProvider.Cpu, IntraOpThreads = 1 });
        var predictions = model.Classify(Normalise(images), images.Length);
        var correct = predictions.Where((p, i) => p.Label == labels[i]).Count();
        return new ModelEvaluation((double)correct / images.Length, images.Length, $"mnist-sample (first {TestCount} test digits)", OnCardTestSet: false);
    }

    /// <summary>
    /// Writes the trained CNN to <paramref name="floatPath"/> and its INT8 model, every layer quantized (unless
    /// <paramref name="options"/> say otherwise), to <paramref name="int8Path"/>.
    /// </summary>
    public static QuantizationResult WriteInt8Cnn(string floatPath, string int8Path, QuantizationOptions? options = null)
    {
        TinyOnnxModels.WriteTrainedCnn(floatPath);
        return ModelQuantizer.Quantize(floatPath, CardOf(floatPath), int8Path, options ?? QuickOptions() with { Exclude = [] }, Evaluate);
    }

    /// <summary>The card of the model at <paramref name="path"/>.</summary>
    public static ModelCard CardOf(string path) =>
        OnnxModel.Describe(path, new OnnxModelOptions { Provider = ExecutionProvider.Cpu, IntraOpThreads = 1 }).Card
        ?? throw new InvalidOperationException($"{path} has no card");

    private static float[] Normalise(byte[][] images)
    {
        var values = new float[images.Length * TinyOnnxModels.Pixels];
        var normalizer = new DigitPreprocessor(PreprocessingMode.None, MnistCentroidModel.Mean, MnistCentroidModel.Std);
        for (var i = 0; i < images.Length; i++)
        {
            normalizer.Normalize(images[i], values.AsSpan(i * TinyOnnxModels.Pixels, TinyOnnxModels.Pixels));
        }
        return values;
    }
}
