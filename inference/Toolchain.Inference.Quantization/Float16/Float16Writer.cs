using Onnx;
using Toolchain.Inference.Quantization.Graph;
using Toolchain.Inference.Quantization.Qdq;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Toolchain.Inference.Quantization.Float16;

/// <summary>
/// float16 weights and arithmetic for GPU serving, with the float32 inputs and outputs callers and the card expect:
/// float32 initializers become float16, a Cast to float16 follows each float32 graph input and a Cast back to float32
/// precedes each float32 graph output, and Casts to float32 inside the graph are retargeted to float16. ONNX Runtime's
/// CPU provider runs the operators it has no float16 kernel for in float32 between Casts it inserts itself.
/// </summary>
internal static class Float16Writer
{
    /// <summary>Inputs that the ONNX specification types as float32 whatever the data's type (Resize's and Upsample's scales).</summary>
    private static readonly HashSet<(string Op, int Input)> Float32Inputs = [("Resize", 2), ("Upsample", 1)];

    /// <summary>Returns a float16 copy of <paramref name="model"/>.</summary>
    public static ModelProto Apply(ModelProto model)
    {
        var result = model.Clone();
        var graph = result.Graph;
        var names = new UniqueNames(graph);
        var keep = graph.Node.SelectMany(n => n.Input.Select((input, i) => (n.OpType, i, input)))
            .Where(x => Float32Inputs.Contains((x.OpType, x.i))).Select(x => x.input).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < graph.Initializer.Count; i++)
        {
            var t = graph.Initializer[i];
            if (OnnxTensors.IsFloat(t) && !keep.Contains(t.Name))
            {
                graph.Initializer[i] = OnnxTensors.Float16(t.Name, [.. t.Dims], OnnxTensors.Floats(t));
            }
        }
        foreach (var node in graph.Node)
        {
            foreach (var a in node.Attribute.Where(a => node.OpType == "Cast" && a.Name == "to" && a.I == (long)DataType.Float))
            {
                a.I = (long)DataType.Float16;
            }
        }

        var head = new List<NodeProto>();
        foreach (var input in graph.Input.Where(i => IsFloat(i) && graph.Initializer.All(t => t.Name != i.Name)))
        {
            var half = $"{names.Take(input.Name)}_float16";
            foreach (var reader in graph.Node)
            {
                for (var k = 0; k < reader.Input.Count; k++)
                {
                    reader.Input[k] = reader.Input[k] == input.Name ? half : reader.Input[k];
                }
            }
            head.Add(Cast(input.Name, half, DataType.Float16));
        }
        var tail = new List<NodeProto>();
        foreach (var output in graph.Output.Where(IsFloat))
        {
            var half = $"{names.Take(output.Name)}_float16";
            foreach (var writer in graph.Node)
            {
                for (var k = 0; k < writer.Output.Count; k++)
                {
                    writer.Output[k] = writer.Output[k] == output.Name ? half : writer.Output[k];
                }
                for (var k = 0; k < writer.Input.Count; k++)
                {
                    writer.Input[k] = writer.Input[k] == output.Name ? half : writer.Input[k];
                }
            }
            tail.Add(Cast(half, output.Name, DataType.Float));
        }
        var nodes = head.Concat(graph.Node).Concat(tail).ToList();
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        graph.ValueInfo.Clear();
        return result;
    }

    private static bool IsFloat(ValueInfoProto v) => v.Type?.TensorType?.ElemType == (int)DataType.Float;

    private static NodeProto Cast(string input, string output, DataType to)
    {
        var node = new NodeProto { OpType = "Cast", Name = $"{output}_Cast", Input = { input }, Output = { output } };
        node.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)to });
        return node;
    }
}
