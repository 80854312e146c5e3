using Google.Protobuf;
using Onnx;
using AttributeType = Onnx.AttributeProto.Types.AttributeType;
using DataType = Onnx.TensorProto.Types.DataType;
using Dimension = Onnx.TensorShapeProto.Types.Dimension;

namespace Toolchain.TestSupport;

/// <summary>
/// Small image backbones with random weights, written as other tools write them, for the transfer-learning tests
/// (the real ResNet18 is 63 MB):
/// <list type="bullet">
/// <item><see cref="WriteCntkLike"/>: what CNTK 2.6 writes (ML.NET's ResNet18): IR 3, opset 8, a batch fixed at 1,
/// BatchNormalization with <c>spatial</c>, bias-free convs with asymmetric pads, a MaxPool with asymmetric pads, a
/// residual block, a downsampling residual block with a 1×1 shortcut, a Concat of two branches, an AveragePool to
/// 1×1 (<see cref="CntkFeatures"/>), then a Reshape baking the batch of 1 and a Gemm (<see cref="CntkLogits"/>).</item>
/// <item><see cref="WriteModern"/>: what torch.onnx writes at opset 13: a dynamic batch and size, Constant nodes,
/// Conv with bias, Clip (ReLU6), a sigmoid gate (Mul), GlobalAveragePool, Dropout, Identity and Flatten.</item>
/// <item><see cref="WriteMeanImage"/>: a CNTK-style preprocessing file with a per-pixel <c>MeanImage</c>.</item>
/// </list>
/// </summary>
public static class TinyBackbones
{
    /// <summary>The CNTK-like backbone's input.</summary>
    public const string CntkInput = "Input3";

    /// <summary>Its 16 pooled features, [1,16,1,1].</summary>
    public const string CntkFeatures = "Pooling90_Output_0";

    /// <summary>Its 10 logits after Reshape and Gemm, [1,10].</summary>
    public const string CntkLogits = "Dense99_Output_0";

    /// <summary>Where its last stage starts by the default rule: the output of the first (same-resolution) residual block.</summary>
    public const string CntkLastStage = "ReLU40_Output_0";

    /// <summary>Its input size (square).</summary>
    public const int CntkSize = 32;

    /// <summary>The modern backbone's input.</summary>
    public const string ModernInput = "pixel_values";

    /// <summary>Its 12 pooled and flattened features, [N,12].</summary>
    public const string ModernFeatures = "features_flat";

    /// <summary>Writes the CNTK-like backbone (see the class summary).</summary>
    public static void WriteCntkLike(string path, int seed = 7)
    {
        var b = new Builder(seed);
        var x = b.Conv("Convolution10", CntkInput, 3, 8, 5, [2, 2], [2, 2, 1, 1]);
        x = b.BatchNorm("BatchNormalization12", x, 8, spatial: true);
        x = b.Unary("Relu", "ReLU14", x);
        var pool = b.MaxPool("Pooling16", x, [3, 3], [2, 2], [1, 1, 0, 0]);                 // 16×16 → 8×8
        // Residual block at 8×8.
        x = b.Conv("Convolution20", pool, 8, 8, 3, [1, 1], [1, 1, 1, 1]);
        x = b.BatchNorm("BatchNormalization22", x, 8, spatial: true);
        x = b.Unary("Relu", "ReLU24", x);
        x = b.Conv("Convolution28", x, 8, 8, 3, [1, 1], [1, 1, 1, 1]);
        x = b.BatchNorm("BatchNormalization30", x, 8, spatial: true);
        x = b.Binary("Add", "Plus36", x, pool);
        var block = b.Unary("Relu", "ReLU40", x);
        // Downsampling block 8×8 → 4×4 with a strided 1×1 shortcut, CNTK's asymmetric pads on the strided 3×3.
        x = b.Conv("Convolution44", block, 8, 16, 3, [2, 2], [1, 1, 0, 0]);
        x = b.BatchNorm("BatchNormalization46", x, 16, spatial: true);
        x = b.Unary("Relu", "ReLU48", x);
        x = b.Conv("Convolution52", x, 16, 16, 3, [1, 1], [1, 1, 1, 1]);
        x = b.BatchNorm("BatchNormalization54", x, 16, spatial: true);
        var shortcut = b.Conv("Convolution58", block, 8, 16, 1, [2, 2], [0, 0, 0, 0]);
        shortcut = b.BatchNorm("BatchNormalization60", shortcut, 16, spatial: true);
        x = b.Binary("Add", "Plus64", x, shortcut);
        x = b.Unary("Relu", "ReLU68", x);
        // Two 1×1 branches joined by a Concat, then the 4×4 average pool to 1×1.
        var left = b.Conv("Convolution72", x, 16, 8, 1, [1, 1], [0, 0, 0, 0]);
        var right = b.Conv("Convolution76", x, 16, 8, 1, [1, 1], [0, 0, 0, 0]);
        x = b.Node("Concat", "Splice80", [left, right], b.Int("axis", 1));
        x = b.Node("AveragePool", "Pooling90", [x],
            b.Ints("kernel_shape", 4, 4), b.Ints("strides", 1, 1), b.Ints("pads", 0, 0, 0, 0), b.Int("count_include_pad", 0), b.Text("auto_pad", "NOTSET"));
        var shape = b.Int64Initializer("Constant95", [1, 16]);
        x = b.Node("Reshape", "Reshape96", [x, shape]);
        var w = b.Initializer("Parameter97", [16, 10]);
        var bias = b.Initializer("Parameter98", [10]);
        b.Node("Gemm", "Dense99", [x, w, bias], b.Float("alpha", 1), b.Float("beta", 1), b.Int("transA", 0), b.Int("transB", 0));

        var graph = b.Graph;
        graph.Name = "CNTKGraph";
        graph.Input.Add(ValueInfo(CntkInput, DataType.Float, 1, 3, CntkSize, CntkSize));
        graph.Output.Add(ValueInfo(CntkFeatures, DataType.Float, 1, 16, 1, 1));
        graph.Output.Add(ValueInfo(CntkLogits, DataType.Float, 1, 10));
        // CNTK lists every intermediate tensor's fixed shape; one is enough to prove a rewrite drops them.
        graph.ValueInfo.Add(ValueInfo("ReLU14_Output_0", DataType.Float, 1, 8, 16, 16));
        Write(path, graph, irVersion: 3, opset: 8, producer: "CNTK");
    }

    /// <summary>Writes the modern backbone (see the class summary).</summary>
    public static void WriteModern(string path, int seed = 11)
    {
        var b = new Builder(seed);
        var x = b.Conv("/stem/conv/Conv", ModernInput, 3, 12, 3, [2, 2], [1, 1, 1, 1], bias: true);
        var min = b.ConstantNode("/stem/Constant", 0f);
        var max = b.ConstantNode("/stem/Constant_1", 6f);
        x = b.Node("Clip", "/stem/act/Clip", [x, min, max]);
        x = b.Conv("/block/dw/Conv", x, 12, 12, 3, [1, 1], [1, 1, 1, 1], bias: true, group: 12);
        x = b.BatchNorm("/block/bn/BatchNormalization", x, 12, spatial: false);
        var gate = b.Unary("Sigmoid", "/block/gate/Sigmoid", x);
        x = b.Binary("Mul", "/block/gate/Mul", x, gate);
        x = b.Node("MaxPool", "/block/pool/MaxPool", [x], b.Ints("kernel_shape", 2, 2), b.Ints("strides", 2, 2), b.Ints("pads", 0, 0, 0, 0), b.Int("ceil_mode", 0));
        x = b.Node("GlobalAveragePool", "/pool/GlobalAveragePool", [x]);
        var ratio = b.ConstantNode("/drop/Constant", 0.2f);
        x = b.Node("Dropout", "/drop/Dropout", [x, ratio]);
        x = b.Node("Identity", "/id/Identity", [x]);
        b.Node("Flatten", "/flatten/Flatten", [x], ModernFeatures, b.Int("axis", 1));

        var graph = b.Graph;
        graph.Name = "main_graph";
        graph.Input.Add(ValueInfo(ModernInput, DataType.Float, -1, 3, -1, -1));
        graph.Output.Add(ValueInfo(ModernFeatures, DataType.Float, -1, 12));
        Write(path, graph, irVersion: 7, opset: 13, producer: "pytorch");
    }

    /// <summary>
    /// Writes a CNTK-style preprocessing file (Split RGB, Concat BGR, Sub <c>MeanImage</c>) whose mean image,
    /// [1,3,size,size], is 100 + channel · 10 + (y + x) / 4 in BGR order.
    /// </summary>
    public static float[] WriteMeanImage(string path, int size = CntkSize)
    {
        var b = new Builder(0);
        var mean = new float[3 * size * size];
        for (int c = 0; c < 3; c++)
        {
            for (int y = 0; y < size; y++)
            {
                for (int x = 0; x < size; x++)
                {
                    mean[(((c * size) + y) * size) + x] = 100 + (c * 10) + ((y + x) / 4f);
                }
            }
        }
        var t = new TensorProto { Name = "MeanImage", DataType = (int)DataType.Float, RawData = ByteString.CopyFrom(AsBytes(mean)) };
        t.Dims.AddRange([1, 3, size, size]);
        b.Graph.Initializer.Add(t);
        var split = new NodeProto { OpType = "Split", Input = { "OriginalInput" }, Output = { "RInp", "GInp", "BInp" } };
        split.Attribute.Add(b.Int("axis", 1));
        split.Attribute.Add(b.Ints("split", 1, 1, 1));
        b.Graph.Node.Add(split);
        b.Graph.Node.Add(new NodeProto { OpType = "Concat", Input = { "BInp", "GInp", "RInp" }, Output = { "BGRInput" }, Attribute = { b.Int("axis", 1) } });
        b.Graph.Node.Add(new NodeProto { OpType = "Sub", Input = { "BGRInput", "MeanImage" }, Output = { "PreprocessedInput" } });
        b.Graph.Input.Add(ValueInfo("OriginalInput", DataType.Float, 1, 3, size, size));
        b.Graph.Output.Add(ValueInfo("PreprocessedInput", DataType.Float, 1, 3, size, size));
        Write(path, b.Graph, irVersion: 3, opset: 8, producer: "TLC");
        return mean;
    }

    /// <summary>The CNTK-like backbone's config JSON (features output, BGR, ×255, per-channel mean or the mean image file).</summary>
    public static string CntkConfig(string file = "tiny.onnx", string? meanImageFile = null, string? sha256 = null, string output = CntkFeatures) =>
        "{\n" +
        "  \"name\": \"tiny-cntk\", \"source\": \"written by Toolchain.TestSupport\", \"licence\": \"MIT\",\n" +
        (sha256 is null ? "" : $"  \"sha256\": \"{sha256}\",\n") +
        $"  \"file\": \"{file}\", \"input\": \"{CntkInput}\", \"output\": \"{output}\", \"input_size\": [{CntkSize}, {CntkSize}],\n" +
        "  \"channel_order\": \"bgr\", \"scale\": 255,\n" +
        (meanImageFile is null
            ? "  \"mean\": [103.9, 116.8, 123.7]\n"
            : $"  \"mean_image\": {{ \"file\": \"{meanImageFile}\", \"initializer\": \"MeanImage\" }}\n") +
        "}";

    /// <summary>The modern backbone's config JSON (RGB, 0–1, ImageNet mean and std).</summary>
    public static string ModernConfig(string file = "modern.onnx", int size = 24) =>
        "{ \"name\": \"tiny-modern\", \"source\": \"written by Toolchain.TestSupport\", \"licence\": \"Apache-2.0\", " +
        $"\"file\": \"{file}\", \"input\": \"{ModernInput}\", \"output\": \"{ModernFeatures}\", \"input_size\": [{size}, {size}], " +
        "\"channel_order\": \"rgb\", \"scale\": 1, \"mean\": [0.485, 0.456, 0.406], \"std\": [0.229, 0.224, 0.225] }";

    private static void Write(string path, GraphProto graph, long irVersion, int opset, string producer)
    {
        var model = new ModelProto { IrVersion = irVersion, ProducerName = producer, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        File.WriteAllBytes(path, model.ToByteArray());
    }

    private static ValueInfoProto ValueInfo(string name, DataType type, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d < 0 ? new Dimension { DimParam = $"d{shape.Dim.Count}" } : new Dimension { DimValue = d });
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }

    private static byte[] AsBytes(float[] values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    /// <summary>Adds nodes named as CNTK names them (<c>{node}_Output_0</c>) with seeded random weights.</summary>
    private sealed class Builder(int seed)
    {
        private readonly Random _random = new(seed);
        private int _parameters = 100;

        public GraphProto Graph { get; } = new();

        public string Node(string op, string name, string[] inputs, params AttributeProto[] attributes) =>
            Node(op, name, inputs, $"{name}_Output_0", attributes);

        public string Node(string op, string name, string[] inputs, string output, params AttributeProto[] attributes)
        {
            var node = new NodeProto { OpType = op, Name = name };
            node.Input.AddRange(inputs);
            node.Output.Add(output);
            node.Attribute.AddRange(attributes);
            Graph.Node.Add(node);
            return output;
        }

        public string Conv(string name, string x, int cin, int cout, int k, long[] strides, long[] pads, bool bias = false, int group = 1)
        {
            // He-style scale, so activations keep their size through the stages.
            var w = Initializer($"Parameter{_parameters++}", [cout, cin / group, k, k], MathF.Sqrt(2f / (cin / group * k * k)));
            string[] inputs = bias ? [x, w, Initializer($"Parameter{_parameters++}", [cout], 0.1f)] : [x, w];
            return Node("Conv", name, inputs, Ints("kernel_shape", k, k), Ints("strides", strides), Ints("pads", pads),
                Ints("dilations", 1, 1), Int("group", group), Text("auto_pad", "NOTSET"));
        }

        public string BatchNorm(string name, string x, int channels, bool spatial)
        {
            var scale = Initializer($"Parameter{_parameters++}", [channels], 0.2f, 1f);
            var bias = Initializer($"Parameter{_parameters++}", [channels], 0.2f);
            var mean = Initializer($"Constant{_parameters++}", [channels], 0.3f);
            var variance = Initializer($"Constant{_parameters++}", [channels], 0.3f, 1f, positive: true);
            AttributeProto[] attributes = spatial
                ? [Float("epsilon", 1e-5f), Float("momentum", 0.9f), Int("spatial", 1)]
                : [Float("epsilon", 1e-5f), Float("momentum", 0.9f)];
            return Node("BatchNormalization", name, [x, scale, bias, mean, variance], attributes);
        }

        public string MaxPool(string name, string x, long[] kernel, long[] strides, long[] pads) =>
            Node("MaxPool", name, [x], Ints("kernel_shape", kernel), Ints("strides", strides), Ints("pads", pads),
                Int("storage_order", 0), Text("auto_pad", "NOTSET"));

        public string Unary(string op, string name, string x) => Node(op, name, [x]);

        public string Binary(string op, string name, string a, string b) => Node(op, name, [a, b]);

        public string ConstantNode(string name, float value)
        {
            var t = new TensorProto { DataType = (int)DataType.Float };
            t.FloatData.Add(value);
            return Node("Constant", name, [], $"{name}_output_0", new AttributeProto { Name = "value", Type = AttributeType.Tensor, T = t });
        }

        public string Initializer(string name, long[] dims, float spread = 1, float centre = 0, bool positive = false)
        {
            var n = (int)dims.Aggregate(1L, (a, b) => a * b);
            var values = new float[n];
            for (int i = 0; i < n; i++)
            {
                var v = (float)((_random.NextDouble() * 2) - 1) * spread;
                values[i] = centre + (positive ? Math.Abs(v) : v);
            }
            var t = new TensorProto { Name = name, DataType = (int)DataType.Float, RawData = ByteString.CopyFrom(AsBytes(values)) };
            t.Dims.AddRange(dims);
            Graph.Initializer.Add(t);
            return name;
        }

        public string Int64Initializer(string name, long[] values)
        {
            var t = new TensorProto { Name = name, DataType = (int)DataType.Int64 };
            t.Dims.Add(values.Length);
            t.Int64Data.AddRange(values);
            Graph.Initializer.Add(t);
            return name;
        }

        public AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeType.Int, I = value };

        public AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeType.Float, F = value };

        public AttributeProto Text(string name, string value) => new() { Name = name, Type = AttributeType.String, S = ByteString.CopyFromUtf8(value) };

        public AttributeProto Ints(string name, params long[] values)
        {
            var a = new AttributeProto { Name = name, Type = AttributeType.Ints };
            a.Ints.AddRange(values);
            return a;
        }
    }
}
