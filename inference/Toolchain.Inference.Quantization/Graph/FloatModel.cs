using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using Toolchain.Contracts;
using Toolchain.Inference.Runtime;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Toolchain.Inference.Quantization.Graph;

/// <summary>
/// A float32 model checked and prepared for quantization: every node named, and the graph simplified by ONNX Runtime's
/// basic optimizations (constant folding, BatchNormalization folded into the Conv before it, Dropout and Identity
/// removed), as ONNX Runtime's own quantizer prepares a model, so that weights are initializers and each Conv, Gemm
/// and MatMul is quantized once with its final weights.
/// </summary>
internal sealed class FloatModel
{
    /// <summary>The lowest ONNX opset QDQ with per-channel scales (DequantizeLinear's axis) needs.</summary>
    public const long MinimumOpset = 13;

    /// <summary>Operators that only exist in quantized graphs: a model holding one was quantized already.</summary>
    private static readonly HashSet<string> QuantizedOperators = new(StringComparer.Ordinal)
    {
        "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "QLinearConv", "QLinearMatMul", "MatMulInteger",
        "ConvInteger", "QGemm", "QLinearAdd", "QLinearMul", "DynamicQuantizeMatMul", "MatMulIntegerToFloat", "MatMulNBits",
        "QLinearGlobalAveragePool", "QLinearAveragePool", "QLinearConcat", "QLinearSigmoid", "QLinearLeakyRelu",
    };

    private FloatModel(ModelProto original, ModelProto model, string sourceDigest, long opset)
    {
        Original = original;
        Model = model;
        SourceDigest = sourceDigest;
        Opset = opset;
    }

    /// <summary>The model as read.</summary>
    public ModelProto Original { get; }

    /// <summary>Whether the file carries no card of ours (a foreign model).</summary>
    public bool IsForeign => !Original.MetadataProps.Any(p => p.Key.StartsWith(ModelCardKeys.Prefix, StringComparison.Ordinal));

    /// <summary>The prepared model (its graph optimised; the original's metadata kept).</summary>
    public ModelProto Model { get; }

    /// <summary>The digest of the original file's graph, as the card of a float32 export records it.</summary>
    public string SourceDigest { get; }

    /// <summary>The default-domain opset the model imports.</summary>
    public long Opset { get; }

    /// <summary>
    /// Reads <paramref name="path"/>, refuses what cannot be quantized (one line, naming the file), and prepares it.
    /// <paramref name="card"/> is the model's card (or the one made up for a foreign model).
    /// </summary>
    public static FloatModel Load(string path, ModelCard card)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputFileException(path, $"cannot be read: {e.Message}", e);
        }
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidInputFileException(path, "is not an ONNX model (it does not parse as an ONNX protobuf)", e);
        }
        Refuse(path, model, card);
        var opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        var original = model.Clone();
        NameNodes(model.Graph);
        var optimized = Optimize(path, model);
        return new FloatModel(original, optimized, GraphDigest.OfModel(bytes) ?? "", opset);
    }

    private static void Refuse(string path, ModelProto model, ModelCard card)
    {
        var graph = model.Graph ?? throw new InvalidInputFileException(path, "has no graph");
        if (card.Quantization is { } q)
        {
            throw new InvalidInputFileException(path, $"is already quantized ({EnumText.Of(q.Format)}, says its card); quantize its float32 model instead");
        }
        if (graph.Node.FirstOrDefault(n => QuantizedOperators.Contains(n.OpType)) is { } quantized)
        {
            throw new InvalidInputFileException(path, $"is already quantized (it holds {quantized.OpType} nodes); quantize its float32 model instead");
        }
        if (graph.Initializer.Any(t => t.DataType == (int)DataType.Float16) || graph.Input.Any(i => i.Type?.TensorType?.ElemType == (int)DataType.Float16))
        {
            throw new InvalidInputFileException(path, "is already float16; quantize its float32 model instead");
        }
        if (card.ElementType == ElementType.Float64 || graph.Initializer.Any(t => t.DataType == (int)DataType.Double))
        {
            throw new InvalidInputFileException(path, "is a float64 model; quantization narrows float32 models (export it as float32 first)");
        }
        var opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        if (opset < MinimumOpset)
        {
            throw new InvalidInputFileException(path,
                $"uses ONNX opset {opset}; quantization needs opset {MinimumOpset} or later (per-channel QuantizeLinear/DequantizeLinear); convert the model to a newer opset first");
        }
        if (graph.Initializer.Any(t => t.DataLocation == TensorProto.Types.DataLocation.External))
        {
            throw new InvalidInputFileException(path, "keeps its weights in external data files; only self-contained models are quantized");
        }
    }

    /// <summary>Names every unnamed node "OpType_index", so that nodes can be excluded and reported by name.</summary>
    private static void NameNodes(GraphProto graph)
    {
        var used = graph.Node.Select(n => n.Name).Where(n => n.Length > 0).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < graph.Node.Count; i++)
        {
            var node = graph.Node[i];
            if (node.Name.Length > 0)
            {
                continue;
            }
            var name = $"{node.OpType}_{i}";
            for (var k = 1; !used.Add(name); k++)
            {
                name = $"{node.OpType}_{i}_{k}";
            }
            node.Name = name;
        }
    }

    /// <summary>
    /// ONNX Runtime's basic (provider-independent) optimizations, saved as a standard ONNX graph. Basic level only:
    /// higher levels fuse into Microsoft-domain operators that other runtimes (and the quantizer) do not know.
    /// </summary>
    private static ModelProto Optimize(string path, ModelProto model)
    {
        var tmp = Path.Combine(Path.GetTempPath(), $"toolchain-quantize-{Environment.ProcessId}-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions
            {
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC,
                OptimizedModelFilePath = tmp,
                LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
            })
            {
                try
                {
                    using var session = new InferenceSession(model.ToByteArray(), options);
                }
                catch (OnnxRuntimeException e)
                {
                    throw new InvalidInputFileException(path, $"ONNX Runtime cannot load it: {e.Message.Split('\n', 2)[0].Trim()}", e);
                }
            }
            var optimized = ModelProto.Parser.ParseFrom(File.ReadAllBytes(tmp));
            var prepared = model.Clone();
            prepared.Graph = optimized.Graph;
            // Value infos describe the graph before optimisation; ONNX Runtime infers shapes again on load.
            prepared.Graph.ValueInfo.Clear();
            return prepared;
        }
        finally
        {
            File.Delete(tmp);
        }
    }
}
