using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using Toolchain.Cli.Output;
using Toolchain.Contracts;
using Toolchain.Inference.Runtime;
using Toolchain.Trainer.Onnx;
using Toolchain.Trainer.Transfer.Graph;
using Dimension = Onnx.TensorShapeProto.Types.Dimension;

namespace Toolchain.Trainer.Transfer;

/// <summary>
/// ONNX graphs built from an imported backbone, all written by its ops at the exporter's opset
/// (<see cref="OnnxExporter.Opset"/> = 17, IR 8) with a symbolic batch axis:
/// <list type="bullet">
/// <item><see cref="Rewrite"/>: the backbone alone, its own input and output names, any batch: a CNTK opset-8 file
/// with a batch fixed at 1 becomes one ONNX Runtime batches (the fixed dims and value_info are not carried over,
/// BatchNormalization loses <c>spatial</c>, a Reshape's baked batch of 1 becomes 0 = "copy").</item>
/// <item><see cref="WriteFeaturizer"/>: pixels in (uint8 or float, RGB), the config's preprocessing, the backbone,
/// a Flatten (with <see cref="FeatureSet.WithStage"/>, the last stage's input averaged and appended): <c>features</c>
/// [N, C] out, for featurizing a dataset with ONNX Runtime.</item>
/// <item><see cref="Classifier"/>: the featurizer with a head and its softmax, for the exported model.</item>
/// </list>
/// Opset 17: the exporter's own, so a head's nodes and a backbone's live in one graph; ONNX Runtime and
/// onnxruntime-web run every op used here at it. Every op kind emits itself; none of the source's attributes that
/// changed meaning between its opset and 17 are copied blindly (see each op type).
/// </summary>
public static class BackboneGraphs
{
    /// <summary>Name of the featurizer's output, and of the flattened features inside a classifier.</summary>
    public const string Features = "features";

    /// <summary>Name of the featurizer's optional second output: the activations where the trainable part starts.</summary>
    public const string Stage = "stage";

    /// <summary>Put before every backbone tensor and node name inside a composed graph, so they cannot collide with ours.</summary>
    internal const string Prefix = "backbone/";

    /// <summary>The backbone file rewritten for any batch at opset 17, weights unchanged (see the class summary).</summary>
    public static byte[] Rewrite(Backbone backbone)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        using var graph = backbone.Import();
        var proto = new GraphProto { Name = backbone.Config.Name };
        var writer = new GraphWriter(proto, "");
        proto.Input.Add(ValueInfo(graph.InputName, TensorProto.Types.DataType.Float, graph.InputShape));
        graph.Emit(writer);
        proto.Output.Add(ValueInfo(graph.OutputName, TensorProto.Types.DataType.Float, graph.OutputShape));
        return ModelOf(proto, $"{backbone.Config.Name} backbone rewritten from {Path.GetFileName(backbone.FilePath)} (opset {graph.SourceOpset})").ToByteArray();
    }

    /// <summary>
    /// Writes the featurizer of <paramref name="graph"/> (with its current weights) to <paramref name="path"/>,
    /// atomically, then loads it in ONNX Runtime and runs one image through it: a featurizer that is written is one
    /// that runs. Returns the feature width. Input <c>input</c> [N, 3, H, W], uint8 0–255 when
    /// <paramref name="pixelInput"/>, else float in [0,1]; output <see cref="Features"/> [N, C], and with
    /// <paramref name="withStage"/> also <see cref="Stage"/>, the activations at <see cref="ImportedGraph.TrainableFrom"/>.
    /// </summary>
    public static long WriteFeaturizer(Backbone backbone, ImportedGraph graph, bool pixelInput, string path, bool withStage = false)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(graph);
        using var preprocessing = new BackbonePreprocessing(backbone, pixelInput);
        var proto = Compose(graph, preprocessing);
        proto.Output.Add(ValueInfo(Features, TensorProto.Types.DataType.Float, [graph.HeadWidth]));
        if (withStage)
        {
            // The activations where the trainable part starts (graph.TrainableFrom), so that a run fine-tuning the last
            // stage computes them once with the features and caches them.
            proto.Node.Add(new NodeProto { Name = "stage_identity", OpType = "Identity", Input = { Prefix + graph.TrainableFrom }, Output = { Stage } });
            proto.Output.Add(ValueInfo(Stage, TensorProto.Types.DataType.Float, graph.TrainableFromShape));
        }
        var bytes = ModelOf(proto, $"{backbone.Config.Name} featurizer ({backbone.Sha256})").ToByteArray();
        AtomicFile.WriteAllBytes(path, bytes);
        Check(path, graph, preprocessing);
        return graph.HeadWidth;
    }

    /// <summary>
    /// The classifier graph: pixels → preprocessing → backbone → <see cref="Features"/> → <paramref name="head"/>'s
    /// nodes (a graph emitted for input <c>input</c> [N, C], whose input is rewired to the features).
    /// </summary>
    internal static GraphProto Classifier(ImportedGraph graph, BackbonePreprocessing preprocessing, GraphProto head)
    {
        var proto = Compose(graph, preprocessing);
        foreach (var node in head.Node)
        {
            for (int i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i] == OnnxGraphEmitter.InputName)
                {
                    node.Input[i] = Features;
                }
            }
            proto.Node.Add(node);
        }
        proto.Initializer.AddRange(head.Initializer);
        proto.Output.AddRange(head.Output);
        return proto;
    }

    /// <summary>Input, preprocessing, backbone (prefixed names) and a Flatten to <see cref="Features"/>; no outputs yet.</summary>
    private static GraphProto Compose(ImportedGraph graph, BackbonePreprocessing preprocessing)
    {
        var proto = new GraphProto { Name = "toolchain" };
        var inputType = preprocessing.PixelInput ? TensorProto.Types.DataType.Uint8 : TensorProto.Types.DataType.Float;
        proto.Input.Add(ValueInfo(OnnxGraphEmitter.InputName, inputType, preprocessing.Shape));
        var writer = new GraphWriter(proto, Prefix);
        preprocessing.Emit(proto, OnnxGraphEmitter.InputName, writer.Name(graph.InputName));
        graph.Emit(writer);
        if (graph.FeatureSet == FeatureSet.Output)
        {
            proto.Node.Add(Flatten("features_flatten", writer.Name(graph.OutputName), Features));
            return proto;
        }
        // The output and the last stage's input averaged over its positions, as ImportedGraph.HeadInput computes them.
        proto.Node.Add(Flatten("features_flatten", writer.Name(graph.OutputName), "features_output"));
        proto.Node.Add(new NodeProto { Name = "stage_pool", OpType = "GlobalAveragePool", Input = { writer.Name(graph.LastStageInput) }, Output = { "stage_pooled" } });
        proto.Node.Add(Flatten("stage_flatten", "stage_pooled", "features_stage"));
        proto.Node.Add(new NodeProto
        {
            Name = "features_concat",
            OpType = "Concat",
            Input = { "features_output", "features_stage" },
            Output = { Features },
            Attribute = { GraphWriter.Int("axis", 1) },
        });
        return proto;
    }

    private static NodeProto Flatten(string name, string input, string output) => new()
    {
        Name = name,
        OpType = "Flatten",
        Input = { input },
        Output = { output },
        Attribute = { GraphWriter.Int("axis", 1) },
    };

    /// <summary>Runs one mid-grey image through the written featurizer in ONNX Runtime and checks the features' shape.</summary>
    private static void Check(string path, ImportedGraph graph, BackbonePreprocessing preprocessing)
    {
        InferenceSession session;
        try
        {
            (session, _) = SessionFactory.Create(path, new OnnxModelOptions { Provider = ExecutionProvider.Cpu, IntraOpThreads = 1 });
        }
        catch (InvalidInputFileException e)
        {
            throw new ToolchainException($"backbone: ONNX Runtime cannot load the featurizer written from {graph.InputName}: {e.Problem}", e);
        }
        using (session)
        {
            long[] shape = [1, .. preprocessing.Shape];
            var count = (int)shape.Aggregate(1L, (a, b) => a * b);
            using var input = preprocessing.PixelInput
                ? OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat((byte)128, count).ToArray(), shape)
                : OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(0.5f, count).ToArray(), shape);
            using var options = new RunOptions();
            try
            {
                using var results = session.Run(options, [OnnxGraphEmitter.InputName], [input], [Features]);
                var got = results[0].GetTensorTypeAndShape().Shape;
                if (!got.SequenceEqual([1, graph.HeadWidth]))
                {
                    throw new ToolchainException(
                        $"backbone: ONNX Runtime gives features of shape [{string.Join(',', got)}] where TorchSharp gives [1,{graph.HeadWidth}]");
                }
            }
            catch (OnnxRuntimeException e)
            {
                throw new ToolchainException($"backbone: ONNX Runtime cannot run one image through the featurizer: {OrtErrorText.FirstLine(e)}", e);
            }
        }
    }

    internal static ModelProto ModelOf(GraphProto graph, string docString)
    {
        var model = new ModelProto
        {
            IrVersion = OnnxExporter.IrVersion,
            ProducerName = OnnxExporter.ProducerName,
            ProducerVersion = ModelCard.CurrentVersion,
            DocString = docString,
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxExporter.Opset });
        return model;
    }

    internal static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, IEnumerable<long> shapeWithoutBatch)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new Dimension { DimParam = OnnxGraphEmitter.BatchDim });
        foreach (var d in shapeWithoutBatch)
        {
            shape.Dim.Add(new Dimension { DimValue = d });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
