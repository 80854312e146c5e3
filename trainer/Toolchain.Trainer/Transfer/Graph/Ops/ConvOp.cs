using Toolchain.Trainer.Models;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Toolchain.Trainer.Transfer.Graph.Ops;

/// <summary>ONNX Conv (2-D, any groups, strides, dilations, asymmetric or automatic pads), weights and optional bias trainable.</summary>
internal sealed class ConvOp : GraphOp
{
    private readonly Window2d _window;
    private readonly long _group;

    private ConvOp(string moduleName, NodeContext node) : base(moduleName, node)
    {
        node.OnlyAttributes("auto_pad", "dilations", "group", "kernel_shape", "pads", "strides");
        var w = node.FloatConstant(1, "weights");
        if (w.dim() != 4)
        {
            throw node.Refuse($"has {w.dim()}-D weights; import supports 2-D convolutions only");
        }
        _window = Window2d.Parse(node, [w.shape[2], w.shape[3]]);
        _group = node.Int("group", 1);
        if (_group < 1 || w.shape[0] % _group != 0)
        {
            throw node.Refuse($"has group {_group}, which does not divide its {w.shape[0]} output channels");
        }
        long outputs = w.shape[0];
        // A Parameter takes over its tensor's handle: w is read before it becomes one.
        Weight("weight", w, node.ConstantName(1, "weights"));
        if (node.Input(2) is not null)
        {
            var b = node.FloatConstant(2, "bias");
            if (b.dim() != 1 || b.shape[0] != outputs)
            {
                throw node.Refuse($"has a bias of shape [{string.Join(',', b.shape)}] for {outputs} output channels");
            }
            Weight("bias", b, node.ConstantName(2, "bias"));
        }
    }

    public static GraphOp Parse(string moduleName, NodeContext node) => new ConvOp(moduleName, node);

    /// <summary>
    /// This convolution's geometry for an input of <paramref name="inputShape"/> ([C, H, W]), for the oneDNN input-gradient
    /// probe; asymmetric pads are probed with their leading value (the fault depends on channel blocking, not on the pads).
    /// </summary>
    public ConvGeometry Geometry(long[] inputShape)
    {
        var pads = _window.PadsFor(inputShape[1], inputShape[2]);
        return new ConvGeometry(inputShape[0], Value("weight").shape[0], inputShape[1], inputShape[2], _window.Kernel[0], _window.Strides[0], pads[0],
            _window.Dilations[0], _group);
    }

    public override Tensor Run(IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        var pads = _window.PadsFor(x.shape[2], x.shape[3]);
        if (Symmetric(pads))
        {
            return F.conv2d(x, Value("weight"), OptionalValue("bias"), _window.Strides, [pads[0], pads[1]], _window.Dilations, _group);
        }
        // The padded copy is freed at once (autograd keeps what it needs): a batch holds one copy at a time.
        using var padded = F.pad(x, TorchPad(pads));
        return F.conv2d(padded, Value("weight"), OptionalValue("bias"), _window.Strides, [0, 0], _window.Dilations, _group);
    }

    public override void Emit(GraphWriter writer)
    {
        List<string> inputs = [Inputs[0], EmitValue(writer, "weight")];
        if (Initializers.ContainsKey("bias"))
        {
            inputs.Add(EmitValue(writer, "bias"));
        }
        writer.Node("Conv", NodeName, inputs, Output, [.. _window.Attributes(withDilations: true, withCeilMode: false), GraphWriter.Int("group", _group)]);
    }
}
