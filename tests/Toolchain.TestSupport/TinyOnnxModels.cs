using Google.Protobuf;
using Onnx;
using Toolchain.Contracts;
using Toolchain.Inference.Runtime;
using Toolchain.OnnxFiles;

namespace Toolchain.TestSupport;

/// <summary>
/// Writes small, valid ONNX models for tests, with our model card in metadata_props. Their weights are chosen so that
/// predictions can be worked out by hand:
/// <list type="bullet">
/// <item>the image classifier scores class c by the summed input over column band c (<see cref="BandOf"/>), so an
/// image lit only in band c is class c (<see cref="ImageForClass"/>);</item>
/// <item>the binary model gives p = sigmoid(x0 + x1 − 1).</item>
/// </list>
/// </summary>
public static partial class TinyOnnxModels
{
    /// <summary>Classes of the image classifier.</summary>
    public const int Classes = 10;

    /// <summary>Pixels per image.</summary>
    public const int Pixels = 28 * 28;

    private const int Opset = 13;

    /// <summary>The class whose band holds column <paramref name="x"/> (0–27): bands are 3 columns wide, the last 1.</summary>
    public static int BandOf(int x) => Math.Min(x / 3, Classes - 1);

    /// <summary>A 784-value image with <paramref name="on"/> in class <paramref name="label"/>'s band and <paramref name="off"/> elsewhere.</summary>
    public static float[] ImageForClass(int label, float on = 1f, float off = 0f)
    {
        var image = new float[Pixels];
        for (var y = 0; y < 28; y++)
        {
            for (var x = 0; x < 28; x++)
            {
                image[(y * 28) + x] = BandOf(x) == label ? on : off;
            }
        }
        return image;
    }

    /// <summary>The card of the image classifier (MNIST-like normalisation unless given).</summary>
    public static ModelCard ImageCard(bool withProbabilities = true, double mean = 0.1307, double std = 0.3081, PreprocessingMode mode = PreprocessingMode.Digit) => new()
    {
        Task = ModelTask.Multiclass,
        Labels = Enumerable.Range(0, Classes).Select(i => $"digit {i}").ToArray(),
        InputName = "input",
        InputLayout = InputLayout.Nchw,
        InputShape = [-1, 1, 28, 28],
        ElementType = ElementType.Float32,
        OutputName = "logits",
        ProbabilitiesName = withProbabilities ? "probabilities" : null,
        Mean = mean,
        Std = std,
        PreprocessingMode = mode,
        DatasetName = "tiny",
        Architecture = "flatten,linear(10)",
        Seed = 1,
        TestAccuracy = 1,
    };

    /// <summary>The card of the float64 binary model.</summary>
    public static ModelCard BinaryCard() => new()
    {
        Task = ModelTask.Binary,
        Labels = ["negative", "positive"],
        InputName = "input",
        InputLayout = InputLayout.Nc,
        InputShape = [-1, 2],
        ElementType = ElementType.Float64,
        OutputName = "probability",
        Mean = 0,
        Std = 1,
        PreprocessingMode = PreprocessingMode.None,
        DatasetName = "xor",
        Architecture = "linear(1),sigmoid",
    };

    /// <summary>
    /// Writes the image classifier: input [-1,1,28,28] float32 → Flatten → Gemm(784→10) → "logits" (→ Softmax →
    /// "probabilities" when <paramref name="withProbabilities"/>). <paramref name="card"/> defaults to <see cref="ImageCard"/>.
    /// <paramref name="fixedBatch"/> fixes the graph's batch axis (the card still says -1), as models from other tools often do.
    /// </summary>
    /// <remarks>
    /// With <paramref name="withIntegrity"/> the card carries an integrity record as the exporter writes one: the
    /// graph's digest and <see cref="ReferenceImages"/> with their logits worked out from the band weights.
    /// </remarks>
    public static string WriteImageClassifier(string path, bool withProbabilities = true, ModelCard? card = null, bool withIntegrity = false,
        int? fixedBatch = null)
    {
        var model = ImageClassifierModel("input", "logits", withProbabilities ? "probabilities" : null, batch: fixedBatch);
        AddCard(model, card ?? ImageCard(withProbabilities), withIntegrity ? ImageReference() : null);
        return Write(model, path);
    }

    /// <summary>
    /// Writes an image classifier with the given linear layer: input [-1,1,28,28] float32 → Flatten → Gemm(784→10,
    /// <paramref name="weights"/> row-major [10,784], <paramref name="bias"/>) → "logits" → Softmax → "probabilities".
    /// </summary>
    public static string WriteLinearImageClassifier(string path, float[] weights, float[] bias, ModelCard card)
    {
        var model = ImageClassifierModel("input", "logits", "probabilities", batch: null, weights, bias);
        AddCard(model, card);
        return Write(model, path);
    }

    /// <summary>
    /// Writes the image classifier as <c>trainer export --input uint8</c> would: a UINT8 input of raw pixels, then Cast,
    /// divide by 255 and the card's normalisation at the head; the card says uint8 and normalisation in graph.
    /// </summary>
    public static string WritePixelImageClassifier(string path, ModelCard? card = null)
    {
        card ??= ImageCard();
        var model = ImageClassifierModel("input", "logits", "probabilities", batch: null);
        var graph = model.Graph;
        graph.Node[0].Input[0] = "normalised";
        graph.Input[0].Type.TensorType.ElemType = (int)TensorProto.Types.DataType.Uint8;
        graph.Initializer.Add(FloatTensor("scale", [], [255f]));
        graph.Initializer.Add(FloatTensor("mean", [], [(float)card.Mean]));
        graph.Initializer.Add(FloatTensor("std", [], [(float)card.Std]));
        var cast = new NodeProto { OpType = "Cast", Input = { "input" }, Output = { "as_float" } };
        cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Float });
        graph.Node.Insert(0, cast);
        graph.Node.Insert(1, Node("Div", ["as_float", "scale"], ["unit"]));
        graph.Node.Insert(2, Node("Sub", ["unit", "mean"], ["centred"]));
        graph.Node.Insert(3, Node("Div", ["centred", "std"], ["normalised"]));
        AddCard(model, card with { ElementType = ElementType.UInt8, NormalizationInGraph = true });
        return Write(model, path);
    }

    /// <summary>The four reference inputs of an image classifier written with an integrity record: classes 0 to 3, normalised.</summary>
    public static float[][] ReferenceImages() =>
        Enumerable.Range(0, 4).Select(c => ImageForClass(c, on: (float)((1 - 0.1307) / 0.3081), off: (float)(-0.1307 / 0.3081))).ToArray();

    private static ReferenceExamples ImageReference()
    {
        var images = ReferenceImages();
        var logits = new List<double>();
        foreach (var image in images)
        {
            for (var c = 0; c < Classes; c++)
            {
                double sum = 0;
                for (var p = 0; p < Pixels; p++)
                {
                    sum += BandOf(p % 28) == c ? (double)(1f / 28) * image[p] : 0;
                }
                logits.Add(sum);
            }
        }
        return new ReferenceExamples
        {
            OutputName = "logits",
            ElementType = ElementType.Float32,
            Count = images.Length,
            Inputs = images.SelectMany(i => i.Select(v => (double)v)).ToArray(),
            Outputs = logits.ToArray(),
        };
    }

    private static ReferenceExamples BinaryReference()
    {
        double[] points = [0, 0, 1, 0, 0, 1, 1, 1];
        return new ReferenceExamples
        {
            OutputName = "probability",
            ElementType = ElementType.Float64,
            Count = 4,
            Inputs = points,
            Outputs = Enumerable.Range(0, 4).Select(i => 1 / (1 + Math.Exp(-(points[2 * i] + points[(2 * i) + 1] - 1)))).ToArray(),
        };
    }

    /// <summary>
    /// Writes the image classifier with its bias initializer's dims one longer than its data, which ONNX Runtime refuses
    /// at load (and, left to itself, also logs in red on stderr).
    /// </summary>
    public static string WriteImageClassifierWithBadInitializerDims(string path)
    {
        var model = ImageClassifierModel("input", "logits", "probabilities", batch: null);
        var bias = model.Graph.Initializer.Single(t => t.Name == "b");
        bias.Dims[0] += 1;
        AddCard(model, ImageCard());
        return Write(model, path);
    }

    /// <summary>
    /// Writes the image classifier without a model card (a "foreign" model): input "x", output "y" (logits).
    /// <paramref name="fixedBatch"/> fixes the graph's batch axis, as some exporters do.
    /// </summary>
    public static string WriteForeignImageClassifier(string path, int? fixedBatch = null)
    {
        var model = ImageClassifierModel("x", "y", null, fixedBatch);
        model.MetadataProps.Add(new StringStringEntryProto { Key = "author", Value = "someone else" });
        return Write(model, path);
    }

    /// <summary>Writes the binary model: input [-1,2] float64 → Gemm(w=[1,1], b=−1) → Sigmoid → "probability" [-1,1].</summary>
    public static string WriteBinary(string path, ModelCard? card = null, bool withIntegrity = false)
    {
        var graph = new GraphProto { Name = "binary" };
        graph.Input.Add(Value("input", TensorProto.Types.DataType.Double, null, 2));
        graph.Output.Add(Value("probability", TensorProto.Types.DataType.Double, null, 1));
        graph.Initializer.Add(DoubleTensor("w", [1, 2], [1.0, 1.0]));
        graph.Initializer.Add(DoubleTensor("b", [1], [-1.0]));
        graph.Node.Add(Node("Gemm", ["input", "w", "b"], ["logit"], transB: 1));
        graph.Node.Add(Node("Sigmoid", ["logit"], ["probability"]));
        var model = NewModel(graph);
        AddCard(model, card ?? BinaryCard(), withIntegrity ? BinaryReference() : null);
        return Write(model, path);
    }

    /// <summary>Weights drawn uniformly from ±1/√fanIn, as PyTorch initialises linear and conv layers.</summary>
    private static float[] Uniform(Random rng, int n, int fanIn)
    {
        var bound = (float)(1 / Math.Sqrt(fanIn));
        var a = new float[n];
        for (var i = 0; i < n; i++)
        {
            a[i] = ((float)rng.NextDouble() * 2 - 1) * bound;
        }
        return a;
    }

    /// <summary>
    /// Writes a linear classifier over images of any C×H×W: input [-1,C,H,W] float32 → Flatten → Gemm(C·H·W→classes,
    /// <paramref name="weights"/> row-major [classes, C·H·W], zero bias) → "logits" → Softmax → "probabilities".
    /// </summary>
    public static string WriteLinearClassifier(string path, int channels, int height, int width, float[] weights, ModelCard card)
    {
        int classes = card.Labels.Count, inputs = channels * height * width;
        if (weights.Length != classes * inputs)
        {
            throw new ArgumentException($"{weights.Length} weights; {classes}×{inputs} needed", nameof(weights));
        }
        var graph = new GraphProto { Name = "linear", DocString = "linear classifier for tests" };
        graph.Input.Add(Value("input", TensorProto.Types.DataType.Float, null, channels, height, width));
        graph.Output.Add(Value("logits", TensorProto.Types.DataType.Float, null, classes));
        graph.Output.Add(Value("probabilities", TensorProto.Types.DataType.Float, null, classes));
        graph.Initializer.Add(FloatTensor("w", [classes, inputs], weights));
        graph.Initializer.Add(FloatTensor("b", [classes], new float[classes]));
        graph.Node.Add(Node("Flatten", ["input"], ["flat"], axis: 1));
        graph.Node.Add(Node("Gemm", ["flat", "w", "b"], ["logits"], transB: 1));
        graph.Node.Add(Node("Softmax", ["logits"], ["probabilities"], axis: 1));
        var model = NewModel(graph);
        AddCard(model, card);
        return Write(model, path);
    }

    /// <summary>The feature names of <see cref="WriteTableClassifier"/>, in input order.</summary>
    public static readonly IReadOnlyList<string> TableFeatures = ["length", "width", "depth"];

    /// <summary>The means and stds at the head of <see cref="WriteTableClassifier"/>, one per feature.</summary>
    public static readonly IReadOnlyList<double> TableMeans = [10, 20, 30], TableStds = [2, 4, 5];

    /// <summary>
    /// Writes a table classifier as the trainer exports one: input [-1,3] float32 of raw features → Sub(means) →
    /// Div(stds) → Gemm(identity) → "logits" → Softmax → "probabilities", so class k ("small", "medium", "large") scores
    /// feature k standardised; the card names the features and says the graph normalises.
    /// </summary>
    public static string WriteTableClassifier(string path)
    {
        int width = TableFeatures.Count;
        var graph = new GraphProto { Name = "table", DocString = "tiny table classifier for tests" };
        graph.Input.Add(Value("input", TensorProto.Types.DataType.Float, null, width));
        graph.Output.Add(Value("logits", TensorProto.Types.DataType.Float, null, width));
        graph.Output.Add(Value("probabilities", TensorProto.Types.DataType.Float, null, width));
        graph.Initializer.Add(FloatTensor("input.mean", [width], TableMeans.Select(v => (float)v).ToArray()));
        graph.Initializer.Add(FloatTensor("input.std", [width], TableStds.Select(v => (float)v).ToArray()));
        var identity = new float[width * width];
        for (int k = 0; k < width; k++)
        {
            identity[(k * width) + k] = 1;
        }
        graph.Initializer.Add(FloatTensor("w", [width, width], identity));
        graph.Initializer.Add(FloatTensor("b", [width], new float[width]));
        graph.Node.Add(Node("Sub", ["input", "input.mean"], ["input_centred"]));
        graph.Node.Add(Node("Div", ["input_centred", "input.std"], ["input_scaled"]));
        graph.Node.Add(Node("Gemm", ["input_scaled", "w", "b"], ["logits"], transB: 1));
        graph.Node.Add(Node("Softmax", ["logits"], ["probabilities"], axis: 1));
        var model = NewModel(graph);
        AddCard(model, new ModelCard
        {
            Task = ModelTask.Multiclass,
            Labels = ["small", "medium", "large"],
            InputName = "input",
            InputLayout = InputLayout.Nc,
            InputShape = [-1, width],
            ElementType = ElementType.Float32,
            OutputName = "logits",
            ProbabilitiesName = "probabilities",
            PixelConvention = PixelConvention.RawFeatures,
            NormalizationInGraph = true,
            FeatureNames = TableFeatures,
            DatasetName = "boxes",
            Architecture = "linear(3)",
        });
        return Write(model, path);
    }

    /// <summary>The targets of <see cref="WriteTableRegression"/>: "price" alone, or "price" and "weight".</summary>
    public static readonly IReadOnlyList<string> RegressionTargets = ["price", "weight"];

    /// <summary>
    /// What <see cref="WriteTableRegression"/> predicts for raw features (length, width, depth), target by target:
    /// price = 5·length + 50 and weight = (width − 20)/2 + 0.4·(depth − 30).
    /// </summary>
    public static double[] RegressionValues(double length, double width, double depth) =>
        [(5 * length) + 50, ((width - 20) / 2) + (0.4 * (depth - 30))];

    /// <summary>
    /// Writes a table regression as the trainer exports one: input [-1,3] raw features → Sub(means) → Div(stds) →
    /// Gemm → standardised targets → Mul(target stds) → Add(target means) → "value", [-1, targets] in the targets'
    /// units (<see cref="RegressionValues"/>); <paramref name="targets"/> is 1 (price) or 2 (price, weight).
    /// <paramref name="testR2"/> goes to the card as the trainer's test R².
    /// </summary>
    public static string WriteTableRegression(string path, int targets = 1, double? testR2 = null, string datasetName = "boxes")
    {
        int width = TableFeatures.Count;
        var graph = new GraphProto { Name = "table-regression", DocString = "tiny table regression for tests" };
        graph.Input.Add(Value("input", TensorProto.Types.DataType.Float, null, width));
        graph.Output.Add(Value("value", TensorProto.Types.DataType.Float, null, targets));
        graph.Initializer.Add(FloatTensor("input.mean", [width], TableMeans.Select(v => (float)v).ToArray()));
        graph.Initializer.Add(FloatTensor("input.std", [width], TableStds.Select(v => (float)v).ToArray()));
        // Standardised price = z(length); standardised weight = z(width) + z(depth); then × std + mean.
        float[] weights = [1, 0, 0, 0, 1, 1];
        double[] means = [100, 0], stds = [10, 2];
        graph.Initializer.Add(FloatTensor("w", [targets, width], weights[..(targets * width)]));
        graph.Initializer.Add(FloatTensor("b", [targets], new float[targets]));
        graph.Initializer.Add(FloatTensor("target.std", [targets], stds[..targets].Select(v => (float)v).ToArray()));
        graph.Initializer.Add(FloatTensor("target.mean", [targets], means[..targets].Select(v => (float)v).ToArray()));
        graph.Node.Add(Node("Sub", ["input", "input.mean"], ["input_centred"]));
        graph.Node.Add(Node("Div", ["input_centred", "input.std"], ["input_scaled"]));
        graph.Node.Add(Node("Gemm", ["input_scaled", "w", "b"], ["standardised"], transB: 1));
        graph.Node.Add(Node("Mul", ["standardised", "target.std"], ["scaled"]));
        graph.Node.Add(Node("Add", ["scaled", "target.mean"], ["value"]));
        var model = NewModel(graph);
        AddCard(model, new ModelCard
        {
            Task = ModelTask.Regression,
            Labels = [],
            InputName = "input",
            InputLayout = InputLayout.Nc,
            InputShape = [-1, width],
            ElementType = ElementType.Float32,
            OutputName = "value",
            PixelConvention = PixelConvention.RawFeatures,
            NormalizationInGraph = true,
            FeatureNames = TableFeatures,
            TargetNames = RegressionTargets.Take(targets).ToList(),
            TargetMeans = means[..targets],
            TargetStds = stds[..targets],
            TestR2 = testR2,
            DatasetName = datasetName,
            Architecture = "linear(" + targets + ")",
        });
        return Write(model, path);
    }

    /// <summary>
    /// Writes the benchmark CNN of issue 5 (4.24 M multiply-adds per image) with seeded random weights and our card:
    /// conv3×3(1→32,pad 1) relu maxpool2, conv3×3(32→64,pad 1) relu maxpool2, flatten, linear(3136→128) relu, linear(128→10).
    /// </summary>
    public static string WriteBenchmarkCnn(string path, int seed = 1)
    {
        var rng = new Random(seed);
        float[] Init(int n, int fanIn) => Uniform(rng, n, fanIn);
        var graph = new GraphProto { Name = "cnn" };
        graph.Input.Add(Value("input", TensorProto.Types.DataType.Float, null, 1, 28, 28));
        graph.Output.Add(Value("logits", TensorProto.Types.DataType.Float, null, Classes));
        graph.Output.Add(Value("probabilities", TensorProto.Types.DataType.Float, null, Classes));
        graph.Initializer.Add(FloatTensor("c1w", [32, 1, 3, 3], Init(32 * 9, 9)));
        graph.Initializer.Add(FloatTensor("c1b", [32], Init(32, 9)));
        graph.Initializer.Add(FloatTensor("c2w", [64, 32, 3, 3], Init(64 * 32 * 9, 288)));
        graph.Initializer.Add(FloatTensor("c2b", [64], Init(64, 288)));
        graph.Initializer.Add(FloatTensor("f1w", [128, 3136], Init(128 * 3136, 3136)));
        graph.Initializer.Add(FloatTensor("f1b", [128], Init(128, 3136)));
        graph.Initializer.Add(FloatTensor("f2w", [10, 128], Init(1280, 128)));
        graph.Initializer.Add(FloatTensor("f2b", [10], Init(10, 128)));
        graph.Node.Add(Conv("input", "c1w", "c1b", "c1"));
        graph.Node.Add(Node("Relu", ["c1"], ["r1"]));
        graph.Node.Add(MaxPool("r1", "p1"));
        graph.Node.Add(Conv("p1", "c2w", "c2b", "c2"));
        graph.Node.Add(Node("Relu", ["c2"], ["r2"]));
        graph.Node.Add(MaxPool("r2", "p2"));
        graph.Node.Add(Node("Flatten", ["p2"], ["flat"], axis: 1));
        graph.Node.Add(Node("Gemm", ["flat", "f1w", "f1b"], ["h"], transB: 1));
        graph.Node.Add(Node("Relu", ["h"], ["hr"]));
        graph.Node.Add(Node("Gemm", ["hr", "f2w", "f2b"], ["logits"], transB: 1));
        graph.Node.Add(Node("Softmax", ["logits"], ["probabilities"], axis: 1));
        var model = NewModel(graph);
        AddCard(model, ImageCard() with { Architecture = "conv(32,3,p1),relu,maxpool(2),conv(64,3,p1),relu,maxpool(2),flatten,linear(128),relu,linear(10)" });
        return Write(model, path);
    }

    /// <summary>
    /// Writes a slow image classifier for cancellation tests: flatten, linear(784→256), then <paramref name="layers"/>
    /// times linear(256→256) and tanh, all sharing one weight matrix (so the file stays small), then linear(256→10).
    /// A run's time is spread evenly over hundreds of operators, and ONNX Runtime checks for termination between
    /// operators, so a cancelled run stops within a fraction of a percent of its length.
    /// </summary>
    public static string WriteSlowChain(string path, int layers = 300)
    {
        const int width = 256;
        var rng = new Random(7);
        float[] Init(int n, int fanIn) => Uniform(rng, n, fanIn);
        var graph = new GraphProto { Name = "slow-chain" };
        graph.Input.Add(Value("input", TensorProto.Types.DataType.Float, null, 1, 28, 28));
        graph.Output.Add(Value("logits", TensorProto.Types.DataType.Float, null, Classes));
        graph.Output.Add(Value("probabilities", TensorProto.Types.DataType.Float, null, Classes));
        graph.Initializer.Add(FloatTensor("in_w", [width, Pixels], Init(width * Pixels, Pixels)));
        graph.Initializer.Add(FloatTensor("in_b", [width], new float[width]));
        graph.Initializer.Add(FloatTensor("w", [width, width], Init(width * width, width)));
        graph.Initializer.Add(FloatTensor("b", [width], new float[width]));
        graph.Initializer.Add(FloatTensor("out_w", [Classes, width], Init(Classes * width, width)));
        graph.Initializer.Add(FloatTensor("out_b", [Classes], new float[Classes]));
        graph.Node.Add(Node("Flatten", ["input"], ["flat"], axis: 1));
        graph.Node.Add(Node("Gemm", ["flat", "in_w", "in_b"], ["h0"], transB: 1));
        for (var i = 0; i < layers; i++)
        {
            graph.Node.Add(Node("Gemm", [$"h{i}", "w", "b"], [$"g{i}"], transB: 1));
            graph.Node.Add(Node("Tanh", [$"g{i}"], [$"h{i + 1}"]));
        }
        graph.Node.Add(Node("Gemm", [$"h{layers}", "out_w", "out_b"], ["logits"], transB: 1));
        graph.Node.Add(Node("Softmax", ["logits"], ["probabilities"], axis: 1));
        var model = NewModel(graph);
        AddCard(model, ImageCard());
        return Write(model, path);
    }

    private static ModelProto ImageClassifierModel(string input, string logits, string? probabilities, int? batch,
        float[]? weights = null, float[]? bias = null)
    {
        if (weights is null)
        {
            weights = new float[Classes * Pixels];
            for (var c = 0; c < Classes; c++)
            {
                for (var p = 0; p < Pixels; p++)
                {
                    weights[(c * Pixels) + p] = BandOf(p % 28) == c ? 1f / 28 : 0f;
                }
            }
        }
        var graph = new GraphProto { Name = "tiny", DocString = "tiny band classifier for tests" };
        graph.Input.Add(Value(input, TensorProto.Types.DataType.Float, batch, 1, 28, 28));
        graph.Output.Add(Value(logits, TensorProto.Types.DataType.Float, batch, Classes));
        graph.Initializer.Add(FloatTensor("w", [Classes, Pixels], weights));
        graph.Initializer.Add(FloatTensor("b", [Classes], bias ?? new float[Classes]));
        graph.Node.Add(Node("Flatten", [input], ["flat"], axis: 1));
        graph.Node.Add(Node("Gemm", ["flat", "w", "b"], [logits], transB: 1));
        if (probabilities is not null)
        {
            graph.Output.Add(Value(probabilities, TensorProto.Types.DataType.Float, batch, Classes));
            graph.Node.Add(Node("Softmax", [logits], [probabilities], axis: 1));
        }
        return NewModel(graph);
    }

    private static ModelProto NewModel(GraphProto graph)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "Toolchain.TestSupport", ProducerVersion = "1", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model;
    }

    /// <summary>Gives <paramref name="model"/> its card as the exporter does (Toolchain.OnnxFiles), so test models digest like real ones.</summary>
    private static void AddCard(ModelProto model, ModelCard card, ReferenceExamples? reference = null)
    {
        if (reference is not null)
        {
            card = card with { GraphSha256 = ModelFile.Digest(model.Graph), Reference = reference };
        }
        ModelFile.SetCard(model, card);
    }

    private static string Write(ModelProto model, string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, int? batch, params int[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(batch is { } b
            ? new TensorShapeProto.Types.Dimension { DimValue = b }
            : new TensorShapeProto.Types.Dimension { DimParam = "N" });
        foreach (var d in dims)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }

    private static TensorProto FloatTensor(string name, long[] dims, float[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.Add(dims);
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        t.RawData = ByteString.CopyFrom(bytes);
        return t;
    }

    private static TensorProto DoubleTensor(string name, long[] dims, double[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Double };
        t.Dims.Add(dims);
        t.DoubleData.Add(values);
        return t;
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs, int? axis = null, int? transB = null)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}_{outputs[0]}" };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        if (axis is { } a)
        {
            node.Attribute.Add(IntAttribute("axis", a));
        }
        if (transB is { } t)
        {
            node.Attribute.Add(IntAttribute("transB", t));
        }
        return node;
    }

    private static NodeProto Conv(string input, string w, string b, string output)
    {
        var node = Node("Conv", [input, w, b], [output]);
        node.Attribute.Add(IntsAttribute("kernel_shape", 3, 3));
        node.Attribute.Add(IntsAttribute("pads", 1, 1, 1, 1));
        return node;
    }

    private static NodeProto MaxPool(string input, string output)
    {
        var node = Node("MaxPool", [input], [output]);
        node.Attribute.Add(IntsAttribute("kernel_shape", 2, 2));
        node.Attribute.Add(IntsAttribute("strides", 2, 2));
        return node;
    }

    private static AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto IntsAttribute(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.Add(values);
        return a;
    }
}
