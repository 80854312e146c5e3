using Onnx;
using Toolchain.Inference.Quantization.Graph;
using Toolchain.Inference.Quantization.Qdq;

namespace Toolchain.Inference.Quantization.Dynamic;

/// <summary>
/// Dynamic INT8 for MLPs: each Gemm and MatMul with constant weights becomes ONNX Runtime's dynamic pattern,
/// DynamicQuantizeLinear → MatMulInteger (uint8 activations × int8 weights, per output column) → Cast → Mul by the two
/// scales → Add bias. ONNX Runtime's CPU provider fuses it into one DynamicQuantizeMatMul kernel. (QDQ with weights
/// alone is not fused on the CPU, so it runs a float MatMul after dequantizing the weights on every call: slower than
/// float32.) The activation scale is computed per call over the whole batch, so a row's output can move slightly with
/// the other rows of its batch.
/// </summary>
internal static class DynamicWriter
{
    /// <summary>The Gemm and MatMul nodes of <paramref name="index"/>'s graph that the dynamic pattern replaces.</summary>
    public static IReadOnlyList<NodeProto> Candidates(GraphIndex index) =>
        QdqPlan.Candidates(index).Where(n => n.OpType is "Gemm" or "MatMul").ToList();

    /// <summary>Returns a copy of <paramref name="model"/> with every candidate not in <paramref name="excluded"/> replaced.</summary>
    public static ModelProto Apply(ModelProto model, IReadOnlySet<string> excluded)
    {
        var result = model.Clone();
        var graph = result.Graph;
        var index = new GraphIndex(graph);
        var names = new UniqueNames(graph);
        var replaced = Candidates(index).Where(n => !excluded.Contains(n.Name)).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var ordered = new List<NodeProto>();
        foreach (var node in graph.Node)
        {
            if (!replaced.Contains(node.Name))
            {
                ordered.Add(node);
                continue;
            }
            ordered.AddRange(Replace(node, index, names, graph));
        }
        graph.Node.Clear();
        graph.Node.AddRange(ordered);
        QdqWriter.RemoveUnused(graph);
        return result;
    }

    private static IEnumerable<NodeProto> Replace(NodeProto node, GraphIndex index, UniqueNames names, GraphProto graph)
    {
        var weight = index.FloatInitializer(node.Input[1])!;
        var transposed = node.OpType == "Gemm" && GraphIndex.IntAttribute(node, "transB", 0) != 0;
        var values = OnnxTensors.Floats(weight);
        long rows = weight.Dims[0], cols = weight.Dims[1];
        if (transposed)
        {
            // MatMulInteger takes B as [K, N]; a transposed Gemm weight is stored [N, K].
            var t = new float[values.Length];
            for (long r = 0; r < rows; r++)
            {
                for (long c = 0; c < cols; c++)
                {
                    t[(c * rows) + r] = values[(r * cols) + c];
                }
            }
            (values, rows, cols) = (t, cols, rows);
        }
        var (quantized, scales) = QuantParams.PerChannel(values, [rows, cols], axis: 1);
        var w = names.Take(weight.Name);
        graph.Initializer.Add(OnnxTensors.Int8($"{w}_quantized", [rows, cols], quantized));
        graph.Initializer.Add(OnnxTensors.Float($"{w}_scale", [cols], scales));
        graph.Initializer.Add(OnnxTensors.Int8($"{w}_zero_point", [cols], new sbyte[cols]));

        var p = names.Take(node.Name);
        var x = node.Input[0];
        var output = node.Output[0];
        var hasBias = node.OpType == "Gemm" && node.Input.Count > 2 && node.Input[2].Length > 0;
        yield return Node("DynamicQuantizeLinear", $"{p}_DynamicQuantizeLinear", [x], [$"{p}_x_quantized", $"{p}_x_scale", $"{p}_x_zero_point"]);
        yield return Node("MatMulInteger", $"{p}_MatMulInteger", [$"{p}_x_quantized", $"{w}_quantized", $"{p}_x_zero_point", $"{w}_zero_point"], [$"{p}_int32"]);
        var cast = Node("Cast", $"{p}_Cast", [$"{p}_int32"], [$"{p}_float"]);
        cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Float });
        yield return cast;
        yield return Node("Mul", $"{p}_scales", [$"{p}_x_scale", $"{w}_scale"], [$"{p}_scale"]);
        yield return Node("Mul", $"{p}_Mul", [$"{p}_float", $"{p}_scale"], [hasBias ? $"{p}_product" : output]);
        if (hasBias)
        {
            yield return Node("Add", $"{p}_Add", [$"{p}_product", node.Input[2]], [output]);
        }
    }

    private static NodeProto Node(string op, string name, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }
}
