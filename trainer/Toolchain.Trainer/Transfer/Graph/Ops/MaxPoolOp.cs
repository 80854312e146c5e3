using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Toolchain.Trainer.Transfer.Graph.Ops;

/// <summary>ONNX MaxPool (2-D): pads, asymmetric or automatic, are filled with −∞ ahead of an unpadded torch max pool.</summary>
internal sealed class MaxPoolOp : GraphOp
{
    private readonly Window2d _window;

    private MaxPoolOp(string moduleName, NodeContext node) : base(moduleName, node)
    {
        node.OnlyAttributes("auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides");
        _window = Window2d.Parse(node, null);
    }

    public static GraphOp Parse(string moduleName, NodeContext node) => new MaxPoolOp(moduleName, node);

    public override Tensor Run(IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        var pads = _window.PadsFor(x.shape[2], x.shape[3]);
        if (pads.All(p => p == 0))
        {
            return F.max_pool2d(x, _window.Kernel, _window.Strides, [0, 0], _window.Dilations, _window.CeilMode);
        }
        using var padded = F.pad(x, TorchPad(pads), value: double.NegativeInfinity);
        return F.max_pool2d(padded, _window.Kernel, _window.Strides, [0, 0], _window.Dilations, _window.CeilMode);
    }

    public override void Emit(GraphWriter writer) =>
        writer.Node("MaxPool", NodeName, [Inputs[0]], Output, [.. _window.Attributes(withDilations: true, withCeilMode: true)]);
}
