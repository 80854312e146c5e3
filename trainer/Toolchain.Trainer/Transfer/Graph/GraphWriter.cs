using Onnx;
using Toolchain.Trainer.Onnx;
using static TorchSharp.torch;
using AttributeType = Onnx.AttributeProto.Types.AttributeType;

namespace Toolchain.Trainer.Transfer.Graph;

/// <summary>
/// Collects the nodes and initializers that imported ops emit, at the exporter's opset
/// (<see cref="OnnxExporter.Opset"/>), renaming every tensor through one prefix so that a backbone's names never
/// collide with the preprocessing and the head composed around it.
/// </summary>
internal sealed class GraphWriter
{
    private readonly string _prefix;
    private readonly HashSet<string> _initializers = [];

    /// <param name="graph">The graph written into.</param>
    /// <param name="prefix">Put before every tensor and node name, e.g. <c>backbone/</c>; empty keeps the source's names.</param>
    public GraphWriter(GraphProto graph, string prefix)
    {
        Graph = graph;
        _prefix = prefix;
    }

    public GraphProto Graph { get; }

    /// <summary>The emitted name of the source's tensor <paramref name="name"/>.</summary>
    public string Name(string name) => _prefix + name;

    /// <summary>Adds a node; inputs and outputs are source names, renamed here.</summary>
    public void Node(string opType, string name, IEnumerable<string> inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = Name(name) };
        node.Input.AddRange(inputs.Select(Name));
        node.Output.Add(Name(output));
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
    }

    /// <summary>Adds a float32 initializer holding <paramref name="value"/>'s current values; returns its source name.</summary>
    public string Initializer(string name, Tensor value)
    {
        if (_initializers.Add(name))
        {
            Graph.Initializer.Add(OnnxInitializers.FromTensor(Name(name), value, OnnxElementType.Float32));
        }
        return name;
    }

    /// <summary>Adds an int64 initializer; returns its source name.</summary>
    public string Int64Initializer(string name, long[] values)
    {
        if (_initializers.Add(name))
        {
            var t = new TensorProto { Name = Name(name), DataType = (int)TensorProto.Types.DataType.Int64 };
            t.Dims.Add(values.Length);
            t.Int64Data.AddRange(values);
            Graph.Initializer.Add(t);
        }
        return name;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeType.Float, F = value };

    public static AttributeProto Text(string name, string value) =>
        new() { Name = name, Type = AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8(value) };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }
}
