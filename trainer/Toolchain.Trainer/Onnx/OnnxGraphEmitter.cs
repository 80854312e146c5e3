using Onnx;
using Toolchain.Contracts;
using Toolchain.Trainer.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;
using Dimension = Onnx.TensorShapeProto.Types.Dimension;

namespace Toolchain.Trainer.Onnx;

/// <summary>
/// Emits the inference graph of a spec, layer by layer, reading each layer's weights from the TorchSharp module
/// built for it (module <c>i</c> is layer <c>i</c>).
/// </summary>
internal sealed class OnnxGraphEmitter
{
    public const string InputName = "input";
    public const string BatchDim = "batch";

    private readonly GraphProto _graph = new() { Name = "toolchain" };
    private readonly OnnxElementType _type;
    private string _current = InputName;

    private OnnxGraphEmitter(OnnxElementType type) => _type = type;

    /// <summary>Builds the graph; throws <see cref="ToolchainException"/> naming the first layer it cannot map.</summary>
    public static GraphProto Emit(
        IReadOnlyList<LayerSpec> layers,
        IReadOnlyList<nn.Module> modules,
        IReadOnlyList<long> inputShape,
        OnnxElementType type,
        OnnxOutputs outputs,
        (double[] Means, double[] Stds)? inputNormalization = null,
        (double[] Means, double[] Stds)? outputScaling = null)
    {
        if (modules.Count != layers.Count)
        {
            throw new ToolchainException(
                $"export: the model has {modules.Count} layers but its architecture has {layers.Count}; it was not built from this spec");
        }
        var e = new OnnxGraphEmitter(type);
        e._graph.Input.Add(e.ValueInfo(InputName, inputShape));
        if (inputNormalization is { } n)
        {
            e.EmitNormalization(n.Means, n.Stds);
        }
        for (int i = 0; i < layers.Count; i++)
        {
            layers[i].Emit(new LayerEmission(e, i, layers[i], modules[i]));
        }
        if (outputScaling is { } s)
        {
            e.EmitOutputScaling(s.Means, s.Stds);
        }
        e.EmitOutputs(outputs);
        return e._graph;
    }

    /// <summary>(x − mean) / std per feature, so the file takes raw values: a Sub and a Div ahead of the first layer.</summary>
    private void EmitNormalization(double[] means, double[] stds)
    {
        long width = means.Length;
        var mean = Initializer(OnnxInitializers.FromValues("input.mean", means, [width], _type));
        var std = Initializer(OnnxInitializers.FromValues("input.std", stds, [width], _type));
        Node("Sub", "input_centred", [_current, mean]);
        Node("Div", "input_scaled", [_current, std]);
    }

    /// <summary>
    /// z · std + mean per target, a Mul and an Add after the last layer: the network learnt standardised targets, and the
    /// file outputs them in the targets' own units.
    /// </summary>
    private void EmitOutputScaling(double[] means, double[] stds)
    {
        long width = means.Length;
        var std = Initializer(OnnxInitializers.FromValues("target.std", stds, [width], _type));
        var mean = Initializer(OnnxInitializers.FromValues("target.mean", means, [width], _type));
        Node("Mul", "target_scaled", [_current, std]);
        Node("Add", "target_value", [_current, mean]);
    }

    private void EmitOutputs(OnnxOutputs outputs)
    {
        if (_current == InputName)
        {
            Node("Identity", "output", [_current]); // a graph output must be produced by a node
        }
        Rename(_current, outputs.OutputName);
        _graph.Output.Add(ValueInfo(outputs.OutputName, [outputs.Width]));
        if (outputs.ProbabilitiesName is { } probabilities)
        {
            _graph.Node.Add(new NodeProto
            {
                Name = "softmax",
                OpType = "Softmax",
                Input = { outputs.OutputName },
                Output = { probabilities },
                Attribute = { OnnxAttribute.Int("axis", 1) },
            });
            _graph.Output.Add(ValueInfo(probabilities, [outputs.Width]));
        }
    }

    private void Rename(string from, string to)
    {
        foreach (var node in _graph.Node)
        {
            for (int k = 0; k < node.Output.Count; k++)
            {
                if (node.Output[k] == from)
                {
                    node.Output[k] = to;
                }
            }
        }
        _current = to;
    }

    /// <summary>The value the next node reads.</summary>
    public string Current => _current;

    /// <summary>The element type of the graph.</summary>
    public OnnxElementType Type => _type;

    /// <summary>Adds a node; its output <c>{name}_out</c> becomes <see cref="Current"/>.</summary>
    public void Node(string opType, string name, string[] inputs, params AttributeProto[] attributes)
    {
        var output = $"{name}_out";
        var node = new NodeProto { Name = name, OpType = opType };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        _current = output;
    }

    /// <summary>Adds an initializer and returns its name.</summary>
    public string Initializer(TensorProto t)
    {
        _graph.Initializer.Add(t);
        return t.Name;
    }

    private ValueInfoProto ValueInfo(string name, IEnumerable<long> shapeWithoutBatch)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new Dimension { DimParam = BatchDim });
        foreach (var d in shapeWithoutBatch)
        {
            shape.Dim.Add(new Dimension { DimValue = d });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)_type.ProtoType, Shape = shape } },
        };
    }
}
