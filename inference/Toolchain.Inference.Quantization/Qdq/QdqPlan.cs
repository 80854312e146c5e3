using Onnx;
using Toolchain.Inference.Quantization.Calibration;
using Toolchain.Inference.Quantization.Graph;

namespace Toolchain.Inference.Quantization.Qdq;

/// <summary>
/// Which nodes of a float32 graph get QuantizeLinear/DequantizeLinear around them, following ONNX Runtime's QDQ
/// conventions so that its CPU provider fuses them into integer kernels (QLinearConv, QGemm, QLinearMatMul, QLinearAdd):
/// <list type="bullet">
/// <item>Conv, Gemm and MatMul with constant weights: the activation input and the output are quantized per tensor,
/// the weight per output channel, the bias as int32;</item>
/// <item>Add of two activations (residual connections): both inputs and the output;</item>
/// <item>a Relu that alone reads a quantized node's output is removed: the output's range then starts at 0, so its
/// zero point is −128 and quantizing clamps negatives to 0, which is the Relu;</item>
/// <item>MaxPool, Flatten, Reshape, Transpose, Squeeze and Unsqueeze of a quantized tensor pass it on with the same
/// scale and zero point, so the runtime drops their QDQ pairs and the chain stays in 8 bits.</item>
/// </list>
/// Everything else stays float32 and is reported by operator type.
/// </summary>
internal sealed class QdqPlan
{
    /// <summary>Operators whose weights are quantized: the ones named by the issue and by ONNX Runtime's S8S8 kernels.</summary>
    public static readonly IReadOnlySet<string> WeightedOperators = new HashSet<string>(StringComparer.Ordinal) { "Conv", "Gemm", "MatMul" };

    /// <summary>Operators that move 8-bit values without arithmetic: their output keeps their input's parameters.</summary>
    private static readonly HashSet<string> PassThrough = new(StringComparer.Ordinal) { "MaxPool", "Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze" };

    private QdqPlan(IReadOnlyList<NodeProto> quantized, IReadOnlyDictionary<string, QuantParams> tensors, IReadOnlyList<NodeProto> absorbed,
        IReadOnlyList<string> floatOperators)
    {
        Quantized = quantized;
        Tensors = tensors;
        AbsorbedRelus = absorbed;
        FloatOperators = floatOperators;
    }

    /// <summary>The Conv, Gemm, MatMul and Add nodes quantized, in graph order.</summary>
    public IReadOnlyList<NodeProto> Quantized { get; }

    /// <summary>Each activation tensor that gets a QuantizeLinear/DequantizeLinear pair, with its parameters.</summary>
    public IReadOnlyDictionary<string, QuantParams> Tensors { get; }

    /// <summary>The Relu nodes folded into the quantization of the output before them.</summary>
    public IReadOnlyList<NodeProto> AbsorbedRelus { get; }

    /// <summary>Operator types left in float32 (other than excluded nodes), sorted.</summary>
    public IReadOnlyList<string> FloatOperators { get; }

    /// <summary>
    /// The nodes of <paramref name="index"/>'s graph that can be quantized, in graph order: Conv, Gemm and MatMul whose
    /// weights are float32 initializers of the shapes the QDQ kernels take.
    /// </summary>
    public static IReadOnlyList<NodeProto> Candidates(GraphIndex index) =>
        index.Graph.Node.Where(n => WeightAxis(index, n) is not null).ToList();

    /// <summary>
    /// The per-channel axis of <paramref name="node"/>'s weight (input 1): Conv's output channels (0), Gemm's N (0 when
    /// B is transposed, else 1), MatMul's columns (1); null when the node is not a quantizable Conv, Gemm or MatMul.
    /// </summary>
    public static int? WeightAxis(GraphIndex index, NodeProto node)
    {
        if (node.Input.Count < 2 || !index.IsActivation(node.Input[0]) || index.FloatInitializer(node.Input[1]) is not { } weight)
        {
            return null;
        }
        switch (node.OpType)
        {
            case "Conv" when weight.Dims.Count >= 3:
                return 0;
            case "Gemm" when weight.Dims.Count == 2 && GraphIndex.IntAttribute(node, "transA", 0) == 0
                && GraphIndex.FloatAttribute(node, "alpha", 1f) == 1f && GraphIndex.FloatAttribute(node, "beta", 1f) == 1f:
                return GraphIndex.IntAttribute(node, "transB", 0) != 0 ? 0 : 1;
            case "MatMul" when weight.Dims.Count == 2:
                return 1;
            default:
                return null;
        }
    }

    /// <summary>
    /// The plan for <paramref name="index"/>'s graph with <paramref name="excluded"/> nodes kept in float32, given the
    /// calibrated <paramref name="ranges"/>: a node whose tensors were not calibrated stays float32. Activations are
    /// unsigned 8-bit when <paramref name="unsignedActivations"/>, else signed.
    /// </summary>
    public static QdqPlan For(GraphIndex index, IReadOnlySet<string> excluded, IReadOnlyDictionary<string, ActivationRange> ranges, bool unsignedActivations)
    {
        var nodes = index.Graph.Node;
        var quantized = new List<NodeProto>();
        var own = new HashSet<string>(StringComparer.Ordinal);
        var absorbed = new List<NodeProto>();
        foreach (var node in nodes.Where(n => !excluded.Contains(n.Name)))
        {
            var inputs = node.OpType == "Add" && node.Input.Count == 2 && node.Input.All(index.IsActivation) ? node.Input.ToArray()
                : WeightAxis(index, node) is not null ? [node.Input[0]]
                : null;
            if (inputs is null || node.Output.Count != 1)
            {
                continue;
            }
            var output = node.Output[0];
            var consumers = index.Consumers(output);
            var relu = consumers.Count == 1 && consumers[0].OpType == "Relu" && !excluded.Contains(consumers[0].Name)
                && !index.GraphOutputs.Contains(output) && !index.GraphOutputs.Contains(consumers[0].Output[0])
                ? consumers[0]
                : null;
            // A graph output (the logits) stays float32: callers read it, and rounding it to 256 levels only loses
            // accuracy; ONNX Runtime then runs the layer as an integer kernel with a float32 result (QGemm, MatMulIntegerToFloat).
            var quantizedOutput = index.GraphOutputs.Contains(output) && node.OpType != "Conv" ? null : relu?.Output[0] ?? output;
            if (!inputs.All(ranges.ContainsKey) || (quantizedOutput is not null && !ranges.ContainsKey(quantizedOutput)))
            {
                continue;
            }
            quantized.Add(node);
            own.UnionWith(inputs);
            if (quantizedOutput is not null)
            {
                own.Add(quantizedOutput);
            }
            if (relu is not null)
            {
                absorbed.Add(relu);
            }
        }

        var tensors = own.ToDictionary(t => t, t => QuantParams.Activation(ranges[t].Min, ranges[t].Max, unsignedActivations), StringComparer.Ordinal);
        var passed = new HashSet<NodeProto>();
        foreach (var node in nodes.Where(n => PassThrough.Contains(n.OpType) && !excluded.Contains(n.Name) && n.Input.Count > 0 && n.Output.Count == 1))
        {
            if (tensors.TryGetValue(node.Input[0], out var parameters) && !index.GraphOutputs.Contains(node.Output[0]))
            {
                // Same scale and zero point in and out: ONNX Runtime then runs the node on the 8-bit values directly.
                tensors[node.Output[0]] = parameters;
                passed.Add(node);
            }
        }
        var floatOperators = nodes
            .Where(n => !quantized.Contains(n) && !absorbed.Contains(n) && !passed.Contains(n) && !excluded.Contains(n.Name))
            .Select(n => n.OpType).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new QdqPlan(quantized, tensors, absorbed, floatOperators);
    }
}
