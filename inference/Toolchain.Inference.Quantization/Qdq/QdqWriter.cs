using Onnx;
using Toolchain.Inference.Quantization.Graph;

namespace Toolchain.Inference.Quantization.Qdq;

/// <summary>
/// Rewrites a float32 graph by a <see cref="QdqPlan"/>: int8 weights with per-channel DequantizeLinear, int32 biases
/// with DequantizeLinear at scale input·weight, and a QuantizeLinear/DequantizeLinear pair on every planned activation.
/// Names follow ONNX Runtime's quantizer (<c>x_quantized</c>, <c>x_scale</c>, <c>x_zero_point</c>).
/// </summary>
internal static class QdqWriter
{
    /// <summary>Returns a quantized copy of <paramref name="model"/>.</summary>
    public static ModelProto Apply(ModelProto model, QdqPlan plan)
    {
        var result = model.Clone();
        var graph = result.Graph;
        var index = new GraphIndex(graph);
        var names = new UniqueNames(graph);
        var byName = graph.Node.ToDictionary(n => n.Name, StringComparer.Ordinal);

        // Relus folded into the quantization of the output before them: the producer writes the Relu's output directly.
        foreach (var relu in plan.AbsorbedRelus)
        {
            var producer = index.Producer(relu.Input[0])!;
            byName[producer.Name].Output[0] = relu.Output[0];
            graph.Node.Remove(byName[relu.Name]);
        }

        var before = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        foreach (var original in plan.Quantized.Where(n => QdqPlan.WeightedOperators.Contains(n.OpType)))
        {
            var node = byName[original.Name];
            var weight = index.FloatInitializer(node.Input[1])!;
            var axis = QdqPlan.WeightAxis(index, original)!.Value;
            var (values, scales) = QuantParams.PerChannel(OnnxTensors.Floats(weight), weight.Dims, axis);
            var prefix = names.Take(weight.Name);
            graph.Initializer.Add(OnnxTensors.Int8($"{prefix}_quantized", [.. weight.Dims], values));
            graph.Initializer.Add(OnnxTensors.Float($"{prefix}_scale", [scales.Length], scales));
            graph.Initializer.Add(OnnxTensors.Int8($"{prefix}_zero_point", [scales.Length], new sbyte[scales.Length]));
            var dequantized = new List<NodeProto> { Dequantize(prefix, axis) };
            node.Input[1] = $"{prefix}_DequantizeLinear_Output";

            var inputScale = plan.Tensors[original.Input[0]].Scale;
            var channels = weight.Dims[axis];
            if (node.Input.Count > 2 && index.FloatInitializer(node.Input[2]) is { } bias && OnnxTensors.ElementCount(bias.Dims) == channels)
            {
                var (biasValues, biasScales) = QuantParams.Bias(OnnxTensors.Floats(bias), inputScale, scales);
                var biasPrefix = names.Take(bias.Name);
                graph.Initializer.Add(OnnxTensors.Int32($"{biasPrefix}_quantized", [channels], biasValues));
                graph.Initializer.Add(OnnxTensors.Float($"{biasPrefix}_scale", [channels], biasScales));
                graph.Initializer.Add(OnnxTensors.Int32($"{biasPrefix}_zero_point", [channels], new int[channels]));
                dequantized.Add(Dequantize(biasPrefix, 0));
                node.Input[2] = $"{biasPrefix}_DequantizeLinear_Output";
            }
            before[node.Name] = dequantized;
        }

        // Activations: the producer's output is renamed and the pair restores the name, so every reader (and a graph
        // output) sees the dequantized value; a graph input cannot be renamed, so its readers are pointed at the pair.
        var after = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        var inputPairs = new List<NodeProto>();
        foreach (var (tensor, parameters) in plan.Tensors)
        {
            var prefix = names.Take(tensor);
            graph.Initializer.Add(OnnxTensors.Float($"{prefix}_scale", [], [parameters.Scale]));
            graph.Initializer.Add(OnnxTensors.ZeroPoint($"{prefix}_zero_point", parameters));
            var producer = graph.Node.FirstOrDefault(n => n.Output.Contains(tensor));
            if (producer is null)
            {
                var dequantized = $"{prefix}_DequantizeLinear_Output";
                foreach (var reader in graph.Node.Where(n => n.Input.Contains(tensor)).ToList())
                {
                    for (var i = 0; i < reader.Input.Count; i++)
                    {
                        reader.Input[i] = reader.Input[i] == tensor ? dequantized : reader.Input[i];
                    }
                }
                inputPairs.Add(Quantize(prefix, tensor));
                inputPairs.Add(Dequantize(prefix, axis: null, output: dequantized));
                continue;
            }
            var raw = $"{prefix}_QuantizeLinear_Input";
            producer.Output[producer.Output.IndexOf(tensor)] = raw;
            if (!after.TryGetValue(producer.Name, out var list))
            {
                after[producer.Name] = list = [];
            }
            list.Add(Quantize(prefix, raw));
            list.Add(Dequantize(prefix, axis: null, output: tensor));
        }

        var ordered = new List<NodeProto>(inputPairs);
        foreach (var node in graph.Node)
        {
            ordered.AddRange(before.GetValueOrDefault(node.Name) ?? []);
            ordered.Add(node);
            ordered.AddRange(after.GetValueOrDefault(node.Name) ?? []);
        }
        graph.Node.Clear();
        graph.Node.AddRange(ordered);
        RemoveUnused(graph);
        return result;
    }

    private static NodeProto Quantize(string prefix, string input) => new()
    {
        Name = $"{prefix}_QuantizeLinear",
        OpType = "QuantizeLinear",
        Input = { input, $"{prefix}_scale", $"{prefix}_zero_point" },
        Output = { $"{prefix}_QuantizeLinear_Output" },
    };

    private static NodeProto Dequantize(string prefix, int? axis, string? output = null)
    {
        var node = new NodeProto
        {
            Name = $"{prefix}_DequantizeLinear",
            OpType = "DequantizeLinear",
            // A weight's or bias's int8/int32 initializer, or an activation's QuantizeLinear output.
            Input = { axis is null ? $"{prefix}_QuantizeLinear_Output" : $"{prefix}_quantized", $"{prefix}_scale", $"{prefix}_zero_point" },
            Output = { output ?? $"{prefix}_DequantizeLinear_Output" },
        };
        if (axis is { } a)
        {
            node.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = a });
        }
        return node;
    }

    /// <summary>Drops the float initializers that the int8 ones replaced (and any other that no node reads).</summary>
    internal static void RemoveUnused(GraphProto graph)
    {
        var read = graph.Node.SelectMany(n => n.Input).Concat(graph.Output.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
        var unused = graph.Initializer.Where(t => !read.Contains(t.Name)).ToList();
        foreach (var t in unused)
        {
            graph.Initializer.Remove(t);
        }
        var inputs = graph.Input.Where(i => unused.Any(t => t.Name == i.Name)).ToList();
        foreach (var i in inputs)
        {
            graph.Input.Remove(i);
        }
    }
}

/// <summary>Prefixes for new tensor names that collide with nothing in the graph.</summary>
internal sealed class UniqueNames(GraphProto graph)
{
    private readonly HashSet<string> _used = graph.Node.SelectMany(n => n.Input.Concat(n.Output).Append(n.Name))
        .Concat(graph.Initializer.Select(t => t.Name)).Concat(graph.Input.Select(i => i.Name)).Concat(graph.Output.Select(o => o.Name))
        .ToHashSet(StringComparer.Ordinal);

    private readonly HashSet<string> _prefixes = new(StringComparer.Ordinal);

    /// <summary><paramref name="name"/>, or <paramref name="name"/>_2, _3, ... when a name derived from it is taken.</summary>
    public string Take(string name)
    {
        var candidate = name;
        for (var k = 2; !_prefixes.Add(candidate) || Derived(candidate).Any(_used.Contains); k++)
        {
            candidate = $"{name}_{k}";
        }
        return candidate;
    }

    private static IEnumerable<string> Derived(string prefix) =>
        new[] { "_quantized", "_scale", "_zero_point", "_QuantizeLinear", "_DequantizeLinear", "_QuantizeLinear_Input", "_QuantizeLinear_Output", "_DequantizeLinear_Output" }
            .Select(s => prefix + s);
}
