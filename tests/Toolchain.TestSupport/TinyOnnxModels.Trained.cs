using System.Globalization;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using Toolchain.Contracts;

namespace Toolchain.TestSupport;

/// <summary>
/// Small models with weights fitted to data in milliseconds, for tests whose figures (accuracy before and after
/// quantization) must mean something: random convolution features or a random hidden layer, then a nearest-class-mean
/// head fitted on them (logit_c = 2·μ_c·f − |μ_c|²).
/// </summary>
public static partial class TinyOnnxModels
{
    /// <summary>The feature names of <see cref="WriteTableMlp"/>.</summary>
    public static readonly string[] BlobFeatures = ["f0", "f1", "f2", "f3"];

    /// <summary>
    /// Writes a CNN fitted to the first <paramref name="trainCount"/> digits of data/mnist-sample: conv(8,3,p1) relu
    /// maxpool(2) conv(16,3,p1) relu maxpool(2) flatten linear(10), the convolutions seeded at random and the linear
    /// layer the class means of their features; "logits" and "probabilities" outputs, labels "0" to "9", card dataset
    /// mnist-sample. About 85% accurate on the sample's test split: a real, imperfect classifier.
    /// </summary>
    public static string WriteTrainedCnn(string path, int trainCount = 2000)
    {
        var rng = new Random(3);
        var graph = new GraphProto { Name = "trained-cnn" };
        graph.Input.Add(Value("input", TensorProto.Types.DataType.Float, null, 1, 28, 28));
        // Zero-mean filters without bias, as trained edge detectors roughly are: the flat background becomes exactly
        // 0, so the activations are a spike at 0 (which calibration handles) and a spread, not a pile at some odd value.
        graph.Initializer.Add(FloatTensor("c1w", [8, 1, 3, 3], ZeroMean(Uniform(rng, 8 * 9, 9), 9)));
        graph.Initializer.Add(FloatTensor("c1b", [8], new float[8]));
        graph.Initializer.Add(FloatTensor("c2w", [16, 8, 3, 3], ZeroMean(Uniform(rng, 16 * 8 * 9, 72), 72)));
        graph.Initializer.Add(FloatTensor("c2b", [16], new float[16]));
        graph.Node.Add(Conv("input", "c1w", "c1b", "c1"));
        graph.Node.Add(Node("Relu", ["c1"], ["r1"]));
        graph.Node.Add(MaxPool("r1", "p1"));
        graph.Node.Add(Conv("p1", "c2w", "c2b", "c2"));
        graph.Node.Add(Node("Relu", ["c2"], ["r2"]));
        graph.Node.Add(MaxPool("r2", "p2"));
        graph.Node.Add(Node("Flatten", ["p2"], ["flat"], axis: 1));
        return FitHeadAndWrite(graph, path, "flat", 16 * 7 * 7, trainCount,
            "conv(8,3,p1),relu,maxpool(2),conv(16,3,p1),relu,maxpool(2),flatten,linear(10)");
    }

    /// <summary>
    /// Writes a residual CNN fitted as <see cref="WriteTrainedCnn"/> is: conv(8,3,p1) relu maxpool(2), then a residual
    /// block whose input is read twice (conv(8,3,p1) relu conv(8,3,p1), added to the block's input, relu), maxpool(2)
    /// flatten linear(10): the fan-out and the Add of a ResNet in miniature.
    /// </summary>
    public static string WriteResidualCnn(string path, int trainCount = 2000)
    {
        var rng = new Random(4);
        var graph = new GraphProto { Name = "residual-cnn" };
        graph.Input.Add(Value("input", TensorProto.Types.DataType.Float, null, 1, 28, 28));
        graph.Initializer.Add(FloatTensor("c1w", [8, 1, 3, 3], ZeroMean(Uniform(rng, 8 * 9, 9), 9)));
        graph.Initializer.Add(FloatTensor("c1b", [8], new float[8]));
        graph.Initializer.Add(FloatTensor("c2w", [8, 8, 3, 3], ZeroMean(Uniform(rng, 8 * 8 * 9, 72), 72)));
        graph.Initializer.Add(FloatTensor("c2b", [8], new float[8]));
        graph.Initializer.Add(FloatTensor("c3w", [8, 8, 3, 3], ZeroMean(Uniform(rng, 8 * 8 * 9, 72), 72)));
        graph.Initializer.Add(FloatTensor("c3b", [8], new float[8]));
        graph.Node.Add(Conv("input", "c1w", "c1b", "c1"));
        graph.Node.Add(Node("Relu", ["c1"], ["r1"]));
        graph.Node.Add(MaxPool("r1", "p1"));
        graph.Node.Add(Conv("p1", "c2w", "c2b", "c2"));
        graph.Node.Add(Node("Relu", ["c2"], ["r2"]));
        graph.Node.Add(Conv("r2", "c3w", "c3b", "c3"));
        graph.Node.Add(Node("Add", ["c3", "p1"], ["sum"]));
        graph.Node.Add(Node("Relu", ["sum"], ["r3"]));
        graph.Node.Add(MaxPool("r3", "p2"));
        graph.Node.Add(Node("Flatten", ["p2"], ["flat"], axis: 1));
        return FitHeadAndWrite(graph, path, "flat", 8 * 7 * 7, trainCount,
            "conv(8,3,p1),relu,maxpool(2),residual(conv(8,3,p1),relu,conv(8,3,p1)),relu,maxpool(2),flatten,linear(10)");
    }

    /// <summary>
    /// Fits a nearest-class-mean linear layer on <paramref name="features"/> (computed by ONNX Runtime on the graph so
    /// far for the first <paramref name="trainCount"/> training digits), adds it with a softmax, and writes the model
    /// with an MNIST card (labels "0" to "9", the sample's test split as its test set).
    /// </summary>
    private static string FitHeadAndWrite(GraphProto graph, string path, string features, int width, int trainCount, string architecture)
    {
        var featureGraph = graph.Clone();
        featureGraph.Output.Add(Value(features, TensorProto.Types.DataType.Float, null, width));
        var (images, labels) = MnistSample.LoadTrain(trainCount);
        var inputs = images.SelectMany(image => image.Select(p => (float)(((p / 255.0) - MnistCentroidModel.Mean) / MnistCentroidModel.Std))).ToArray();
        float[] flat;
        using (var options = new SessionOptions { IntraOpNumThreads = 1 })
        using (var session = new InferenceSession(NewModel(featureGraph).ToByteArray(), options))
        using (var input = OrtValue.CreateTensorValueFromMemory(inputs, [images.Length, 1, 28, 28]))
        using (var runOptions = new RunOptions())
        using (var outputs = session.Run(runOptions, ["input"], [input], [features]))
        {
            flat = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        }
        var (weights, bias) = ClassMeans(flat, labels.Select(l => (int)l).ToArray(), width, Classes);
        graph.Initializer.Add(FloatTensor("fw", [Classes, width], weights));
        graph.Initializer.Add(FloatTensor("fb", [Classes], bias));
        graph.Node.Add(Node("Gemm", [features, "fw", "fb"], ["logits"], transB: 1));
        graph.Node.Add(Node("Softmax", ["logits"], ["probabilities"], axis: 1));
        graph.Output.Add(Value("logits", TensorProto.Types.DataType.Float, null, Classes));
        graph.Output.Add(Value("probabilities", TensorProto.Types.DataType.Float, null, Classes));
        var model = NewModel(graph);
        AddCard(model, ImageCard(mean: MnistCentroidModel.Mean, std: MnistCentroidModel.Std) with
        {
            Labels = Enumerable.Range(0, Classes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray(),
            DatasetName = "mnist-sample",
            // The sample's whole test split, as the trainer records it: infer eval then compares with the card.
            TrainCount = trainCount,
            TestCount = MnistSample.LoadTest(int.MaxValue).Labels.Length,
            Architecture = architecture,
            TestAccuracy = null,
        });
        return Write(model, path);
    }

    /// <summary>
    /// <paramref name="count"/> rows of three classes of 4-feature Gaussian blobs (class c centred at 2·c on feature c
    /// and 1.5·c on feature 3), seeded: the table <see cref="WriteTableMlp"/> was fitted to.
    /// </summary>
    public static (float[] Features, int[] Labels) TableBlobs(int count, int seed)
    {
        var rng = new Random(seed);
        var features = new float[count * 4];
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            var c = i % 3;
            labels[i] = c;
            for (var f = 0; f < 4; f++)
            {
                var centre = f == c ? 2.0 * (c + 1) : f == 3 ? 1.5 * c : 0;
                features[(i * 4) + f] = (float)(centre + Gaussian(rng));
            }
        }
        return (features, labels);
    }

    /// <summary>
    /// Writes a table MLP fitted to <see cref="TableBlobs"/>: input [-1,4] → Gemm(4→32, seeded) → Relu → Gemm(32→3,
    /// the class means of the hidden features) → "logits" → Softmax → "probabilities"; labels a, b, c, features f0-f3.
    /// </summary>
    public static string WriteTableMlp(string path)
    {
        const int hidden = 32, classes = 3;
        var rng = new Random(5);
        var w1 = Uniform(rng, hidden * 4, 4);
        var b1 = Uniform(rng, hidden, 4);
        var (x, y) = TableBlobs(600, seed: 1);
        var h = new float[y.Length * hidden];
        for (var i = 0; i < y.Length; i++)
        {
            for (var j = 0; j < hidden; j++)
            {
                var s = b1[j];
                for (var f = 0; f < 4; f++)
                {
                    s += w1[(j * 4) + f] * x[(i * 4) + f];
                }
                h[(i * hidden) + j] = Math.Max(0, s);
            }
        }
        var (w2, b2) = ClassMeans(h, y, hidden, classes);
        var graph = new GraphProto { Name = "table-mlp" };
        graph.Input.Add(Value("input", TensorProto.Types.DataType.Float, null, 4));
        graph.Initializer.Add(FloatTensor("w1", [hidden, 4], w1));
        graph.Initializer.Add(FloatTensor("b1", [hidden], b1));
        graph.Initializer.Add(FloatTensor("w2", [classes, hidden], w2));
        graph.Initializer.Add(FloatTensor("b2", [classes], b2));
        graph.Node.Add(Node("Gemm", ["input", "w1", "b1"], ["h"], transB: 1));
        graph.Node.Add(Node("Relu", ["h"], ["hr"]));
        graph.Node.Add(Node("Gemm", ["hr", "w2", "b2"], ["logits"], transB: 1));
        graph.Node.Add(Node("Softmax", ["logits"], ["probabilities"], axis: 1));
        graph.Output.Add(Value("logits", TensorProto.Types.DataType.Float, null, classes));
        graph.Output.Add(Value("probabilities", TensorProto.Types.DataType.Float, null, classes));
        var model = NewModel(graph);
        AddCard(model, new ModelCard
        {
            Task = ModelTask.Multiclass,
            Labels = ["a", "b", "c"],
            InputLayout = InputLayout.Nc,
            InputShape = [-1, 4],
            ElementType = ElementType.Float32,
            OutputName = "logits",
            ProbabilitiesName = "probabilities",
            FeatureNames = BlobFeatures,
            PreprocessingMode = PreprocessingMode.None,
            DatasetName = "blobs",
            Architecture = "linear(32),relu,linear(3)",
        });
        return Write(model, path);
    }

    /// <summary>The nearest-class-mean layer over <paramref name="width"/>-wide features: weights 2·μ_c, bias −|μ_c|².</summary>
    private static (float[] Weights, float[] Bias) ClassMeans(float[] features, int[] labels, int width, int classes)
    {
        var sums = new double[classes * width];
        var counts = new int[classes];
        for (var i = 0; i < labels.Length; i++)
        {
            counts[labels[i]]++;
            for (var f = 0; f < width; f++)
            {
                sums[(labels[i] * width) + f] += features[(i * width) + f];
            }
        }
        var weights = new float[classes * width];
        var bias = new float[classes];
        for (var c = 0; c < classes; c++)
        {
            double norm = 0;
            for (var f = 0; f < width; f++)
            {
                var mean = sums[(c * width) + f] / Math.Max(1, counts[c]);
                weights[(c * width) + f] = (float)(2 * mean);
                norm += mean * mean;
            }
            bias[c] = (float)-norm;
        }
        return (weights, bias);
    }

    /// <summary>Each run of <paramref name="size"/> weights (one filter) shifted to sum to zero.</summary>
    private static float[] ZeroMean(float[] weights, int size)
    {
        for (var start = 0; start < weights.Length; start += size)
        {
            var mean = weights.AsSpan(start, size).ToArray().Average();
            for (var i = start; i < start + size; i++)
            {
                weights[i] -= mean;
            }
        }
        return weights;
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
