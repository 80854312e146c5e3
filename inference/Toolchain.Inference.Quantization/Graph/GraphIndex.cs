using Onnx;

namespace Toolchain.Inference.Quantization.Graph;

/// <summary>Who produces and who consumes each tensor of a graph, and which tensors are initializers.</summary>
internal sealed class GraphIndex
{
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> _consumers = new(StringComparer.Ordinal);

    public GraphIndex(GraphProto graph)
    {
        Graph = graph;
        Initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output.Where(o => o.Length > 0))
            {
                _producers[output] = node;
            }
            foreach (var input in node.Input.Where(i => i.Length > 0).Distinct(StringComparer.Ordinal))
            {
                if (!_consumers.TryGetValue(input, out var list))
                {
                    _consumers[input] = list = [];
                }
                list.Add(node);
            }
        }
        GraphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        // Initializers may be listed among the inputs (IR < 4 style); only the others are fed by callers.
        GraphInputs = graph.Input.Select(i => i.Name).Where(n => !Initializers.ContainsKey(n)).ToHashSet(StringComparer.Ordinal);
    }

    public GraphProto Graph { get; }

    public IReadOnlyDictionary<string, TensorProto> Initializers { get; }

    public IReadOnlySet<string> GraphOutputs { get; }

    public IReadOnlySet<string> GraphInputs { get; }

    /// <summary>The node producing <paramref name="tensor"/>, or null for graph inputs and initializers.</summary>
    public NodeProto? Producer(string tensor) => _producers.GetValueOrDefault(tensor);

    /// <summary>The nodes reading <paramref name="tensor"/>.</summary>
    public IReadOnlyList<NodeProto> Consumers(string tensor) => _consumers.TryGetValue(tensor, out var list) ? list : [];

    /// <summary>The float32 initializer named <paramref name="tensor"/>, or null when it is computed or of another type.</summary>
    public TensorProto? FloatInitializer(string tensor) =>
        Initializers.TryGetValue(tensor, out var t) && OnnxTensors.IsFloat(t) ? t : null;

    /// <summary>Whether <paramref name="tensor"/> is computed at run time (a graph input or a node's output), not a constant.</summary>
    public bool IsActivation(string tensor) => tensor.Length > 0 && !Initializers.ContainsKey(tensor);

    /// <summary>The int attribute <paramref name="name"/> of <paramref name="node"/>, or <paramref name="fallback"/>.</summary>
    public static long IntAttribute(NodeProto node, string name, long fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : fallback;

    /// <summary>The float attribute <paramref name="name"/> of <paramref name="node"/>, or <paramref name="fallback"/>.</summary>
    public static float FloatAttribute(NodeProto node, string name, float fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.F : fallback;
}
