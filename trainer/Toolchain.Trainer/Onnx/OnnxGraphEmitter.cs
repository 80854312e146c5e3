using Onnx;
using Toolchain.Contracts;
using Toolchain.Shared.Errors;
using Toolchain.Trainer.Models;
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
        (double[] Means, double[] Stds)? inputNormalization = null)
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
            e.EmitLayer(i, layers[i], modules[i]);
        }
        e.EmitOutputs(outputs);
        return e._graph;
    }

    private void EmitLayer(int i, LayerSpec l, nn.Module module)
    {
        string p = $"layer{i}";
        switch (l.Kind)
        {
            case LayerKind.Linear:
                Expect(i, l, module, "Linear");
                Node("Gemm", p, [_current, Weight(p, module, i, l), Bias(p, module, i, l)], Int("transB", 1));
                break;
            case LayerKind.Conv:
                Expect(i, l, module, "Conv2d");
                Node("Conv", p, [_current, Weight(p, module, i, l), Bias(p, module, i, l)],
                    Ints("kernel_shape", l.Kernel, l.Kernel),
                    Ints("strides", l.Stride, l.Stride),
                    Ints("pads", l.Padding, l.Padding, l.Padding, l.Padding),
                    Ints("dilations", l.Dilation, l.Dilation),
                    Int("group", l.Groups));
                break;
            case LayerKind.MaxPool:
                Expect(i, l, module, "MaxPool2d");
                Node("MaxPool", p, [_current],
                    Ints("kernel_shape", l.Kernel, l.Kernel),
                    Ints("strides", l.Stride, l.Stride),
                    Ints("pads", l.Padding, l.Padding, l.Padding, l.Padding));
                break;
            case LayerKind.AvgPool:
                Expect(i, l, module, "AvgPool2d");
                // PyTorch's AvgPool2d counts padding in the divisor by default; ONNX does not unless told.
                Node("AveragePool", p, [_current],
                    Ints("kernel_shape", l.Kernel, l.Kernel),
                    Ints("strides", l.Stride, l.Stride),
                    Ints("pads", l.Padding, l.Padding, l.Padding, l.Padding),
                    Int("count_include_pad", 1));
                break;
            case LayerKind.Relu:
                Expect(i, l, module, "ReLU");
                Node("Relu", p, [_current]);
                break;
            case LayerKind.Sigmoid:
                Expect(i, l, module, "Sigmoid");
                Node("Sigmoid", p, [_current]);
                break;
            case LayerKind.Tanh:
                Expect(i, l, module, "Tanh");
                Node("Tanh", p, [_current]);
                break;
            case LayerKind.LeakyRelu:
                Expect(i, l, module, "LeakyReLU");
                EmitLeakyRelu(p, l.Slope);
                break;
            case LayerKind.Dropout:
                Expect(i, l, module, "Dropout");
                break; // identity at inference: no node
            case LayerKind.Flatten:
                Expect(i, l, module, "Flatten");
                Node("Flatten", p, [_current], Int("axis", 1));
                break;
            case LayerKind.BatchNorm:
                Expect(i, l, module, "BatchNorm1d", "BatchNorm2d");
                EmitBatchNorm(p, i, l, module);
                break;
            default:
                throw new ToolchainException($"export: layer {i + 1} '{l.Token}' ({l.Kind}) has no ONNX mapping");
        }
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

    private void EmitLeakyRelu(string p, double slope)
    {
        // LeakyRelu's alpha is a float attribute; a float64 net whose slope float cannot hold exactly would drift
        // from TorchSharp, so it gets x < 0 ? x * slope : x with the slope as a double constant instead.
        if (!_type.IsDouble || (double)(float)slope == slope)
        {
            Node("LeakyRelu", p, [_current], Float("alpha", slope));
            return;
        }
        var x = _current;
        var slopeName = Initializer(OnnxInitializers.FromValues($"{p}.slope", [slope], [], _type));
        var zeroName = Initializer(OnnxInitializers.FromValues($"{p}.zero", [0], [], _type));
        Node("Less", $"{p}_negative", [x, zeroName]);
        var negative = _current;
        Node("Mul", $"{p}_scaled", [x, slopeName]);
        var scaled = _current;
        Node("Where", p, [negative, scaled, x]);
    }

    private void EmitBatchNorm(string p, int i, LayerSpec l, nn.Module module)
    {
        var parameters = Parameters(module);
        var buffers = Buffers(module);
        if (!buffers.TryGetValue("running_mean", out var mean) || !buffers.TryGetValue("running_var", out var variance))
        {
            throw new ToolchainException($"export: layer {i + 1} '{l.Token}' has no running statistics to export");
        }
        long channels = mean.shape[0];
        string scale = parameters.TryGetValue("weight", out var w)
            ? Initializer(OnnxInitializers.FromTensor($"{p}.weight", w, _type))
            : Initializer(OnnxInitializers.FromValues($"{p}.weight", Enumerable.Repeat(1.0, (int)channels).ToArray(), [channels], _type));
        string bias = parameters.TryGetValue("bias", out var b)
            ? Initializer(OnnxInitializers.FromTensor($"{p}.bias", b, _type))
            : Initializer(OnnxInitializers.FromValues($"{p}.bias", new double[channels], [channels], _type));
        string meanName = Initializer(OnnxInitializers.FromTensor($"{p}.running_mean", mean, _type));

        double eps = l.Eps;
        string varName;
        if (_type.IsDouble && (double)(float)eps != eps)
        {
            // epsilon is a float attribute; fold the exact double epsilon into the variance (as TorchSharp adds it) instead.
            using var scope = NewDisposeScope();
            var folded = variance.detach().cpu().to_type(ScalarType.Float64) + eps;
            varName = Initializer(OnnxInitializers.FromTensor($"{p}.running_var_plus_eps", folded, _type));
            eps = 0;
        }
        else
        {
            varName = Initializer(OnnxInitializers.FromTensor($"{p}.running_var", variance, _type));
        }
        Node("BatchNormalization", p, [_current, scale, bias, meanName, varName], Float("epsilon", eps));
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
                Attribute = { Int("axis", 1) },
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

    private void Node(string opType, string name, string[] inputs, params AttributeProto[] attributes)
    {
        var output = $"{name}_out";
        var node = new NodeProto { Name = name, OpType = opType };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        _current = output;
    }

    private string Initializer(TensorProto t)
    {
        _graph.Initializer.Add(t);
        return t.Name;
    }

    private string Weight(string p, nn.Module module, int i, LayerSpec l) =>
        Initializer(OnnxInitializers.FromTensor($"{p}.weight", Required(Parameters(module), "weight", i, l), _type));

    private string Bias(string p, nn.Module module, int i, LayerSpec l) =>
        Initializer(OnnxInitializers.FromTensor($"{p}.bias", Required(Parameters(module), "bias", i, l), _type));

    private static Tensor Required(Dictionary<string, Tensor> tensors, string name, int i, LayerSpec l) =>
        tensors.TryGetValue(name, out var t)
            ? t
            : throw new ToolchainException($"export: layer {i + 1} '{l.Token}' has no '{name}' parameter");

    private static Dictionary<string, Tensor> Parameters(nn.Module module) =>
        module.named_parameters(recurse: false).ToDictionary(x => x.name, x => (Tensor)x.parameter);

    private static Dictionary<string, Tensor> Buffers(nn.Module module) =>
        module.named_buffers(recurse: false).ToDictionary(x => x.name, x => x.buffer);

    private static void Expect(int i, LayerSpec l, nn.Module module, params string[] typeNames)
    {
        var actual = module.GetType().Name;
        if (!typeNames.Contains(actual))
        {
            throw new ToolchainException(
                $"export: layer {i + 1} '{l.Token}' needs a {string.Join(" or ", typeNames)} module but the model has {actual}; it was not built from this spec");
        }
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

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    private static AttributeProto Float(string name, double value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = (float)value };
}
