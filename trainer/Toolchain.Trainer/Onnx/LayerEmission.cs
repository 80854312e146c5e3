using Onnx;
using Toolchain.Contracts;
using Toolchain.Trainer.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Onnx;

/// <summary>
/// What a layer needs to emit its nodes: the graph so far, its index, its module (whose weights become initializers)
/// and the element type. Node and initializer names start with <see cref="Prefix"/> (<c>layer{i}</c>).
/// </summary>
internal sealed class LayerEmission
{
    private readonly OnnxGraphEmitter _graph;

    public LayerEmission(OnnxGraphEmitter graph, int index, LayerSpec layer, nn.Module module)
    {
        _graph = graph;
        Index = index;
        Layer = layer;
        Module = module;
    }

    /// <summary>Zero-based index of the layer in the spec and of its module in the network.</summary>
    public int Index { get; }

    /// <summary>The layer being emitted.</summary>
    public LayerSpec Layer { get; }

    /// <summary>The module built for it.</summary>
    public nn.Module Module { get; }

    /// <summary>The prefix of this layer's node and initializer names.</summary>
    public string Prefix => $"layer{Index}";

    /// <summary>The value the next node reads: the previous layer's output.</summary>
    public string Current => _graph.Current;

    /// <summary>The element type of the graph.</summary>
    public OnnxElementType Type => _graph.Type;

    /// <summary>Adds a node reading <paramref name="inputs"/>; its output (<c>{name}_out</c>) becomes <see cref="Current"/>.</summary>
    public void Node(string opType, string name, string[] inputs, params AttributeProto[] attributes) =>
        _graph.Node(opType, name, inputs, attributes);

    /// <summary>Adds an initializer and returns its name.</summary>
    public string Initializer(TensorProto t) => _graph.Initializer(t);

    /// <summary>The module's <c>weight</c> parameter as the initializer <c>{prefix}.weight</c>.</summary>
    public string Weight() => Initializer(OnnxInitializers.FromTensor($"{Prefix}.weight", Required(Parameters(), "weight"), Type));

    /// <summary>The module's <c>bias</c> parameter as the initializer <c>{prefix}.bias</c>.</summary>
    public string Bias() => Initializer(OnnxInitializers.FromTensor($"{Prefix}.bias", Required(Parameters(), "bias"), Type));

    /// <summary>The module's own parameters by name.</summary>
    public Dictionary<string, Tensor> Parameters() =>
        Module.named_parameters(recurse: false).ToDictionary(x => x.name, x => (Tensor)x.parameter);

    /// <summary>The module's own buffers by name.</summary>
    public Dictionary<string, Tensor> Buffers() =>
        Module.named_buffers(recurse: false).ToDictionary(x => x.name, x => x.buffer);

    /// <summary>Throws unless the module is one of <paramref name="typeNames"/>: a network not built from this spec.</summary>
    public void Expect(params string[] typeNames)
    {
        var actual = Module.GetType().Name;
        if (!typeNames.Contains(actual))
        {
            throw Fail($"needs a {string.Join(" or ", typeNames)} module but the model has {actual}; it was not built from this spec");
        }
    }

    /// <summary>An export error naming the layer, e.g. <c>export: layer 3 'conv(6,3)' has no running statistics to export</c>.</summary>
    public ToolchainException Fail(string problem) => new($"export: layer {Index + 1} '{Layer.Token}' {problem}");

    private Tensor Required(Dictionary<string, Tensor> tensors, string name) =>
        tensors.TryGetValue(name, out var t) ? t : throw Fail($"has no '{name}' parameter");
}

/// <summary>ONNX node attributes.</summary>
internal static class OnnxAttribute
{
    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Float(string name, double value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = (float)value };
}
