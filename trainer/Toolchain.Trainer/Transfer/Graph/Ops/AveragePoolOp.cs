using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Toolchain.Trainer.Transfer.Graph.Ops;

/// <summary>
/// ONNX AveragePool (2-D). Symmetric pads go to torch as they are; asymmetric or automatic ones are added as zeros,
/// and unless <c>count_include_pad</c> the sum is divided by the count of real pixels under the window (a pool of a
/// padded all-ones plane), which is what ONNX computes.
/// </summary>
internal sealed class AveragePoolOp : GraphOp
{
    private readonly Window2d _window;
    private readonly bool _countIncludePad;

    private AveragePoolOp(string moduleName, NodeContext node) : base(moduleName, node)
    {
        node.OnlyAttributes("auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "strides");
        _window = Window2d.Parse(node, null);
        if (_window.Dilations.Any(d => d != 1))
        {
            throw node.Refuse("has dilations; import supports undilated average pooling only");
        }
        _countIncludePad = node.Int("count_include_pad", 0) != 0;
    }

    public static GraphOp Parse(string moduleName, NodeContext node) => new AveragePoolOp(moduleName, node);

    public override Tensor Run(IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        var pads = _window.PadsFor(x.shape[2], x.shape[3]);
        if (pads.All(p => p == 0))
        {
            return F.avg_pool2d(x, _window.Kernel, _window.Strides, [0, 0], _window.CeilMode, true);
        }
        if (Symmetric(pads) && pads[0] * 2 <= _window.Kernel[0] && pads[1] * 2 <= _window.Kernel[1])
        {
            return F.avg_pool2d(x, _window.Kernel, _window.Strides, [pads[0], pads[1]], _window.CeilMode, _countIncludePad);
        }
        using var padded = F.pad(x, TorchPad(pads));
        var average = F.avg_pool2d(padded, _window.Kernel, _window.Strides, [0, 0], _window.CeilMode, true);
        if (_countIncludePad)
        {
            return average;
        }
        using var ones = F.pad(ones_like(x.narrow(0, 0, 1).narrow(1, 0, 1)), TorchPad(pads));
        using var share = F.avg_pool2d(ones, _window.Kernel, _window.Strides, [0, 0], _window.CeilMode, true);
        return average.div(share);
    }

    public override void Emit(GraphWriter writer) =>
        writer.Node("AveragePool", NodeName, [Inputs[0]], Output,
            [.. _window.Attributes(withDilations: false, withCeilMode: true), GraphWriter.Int("count_include_pad", _countIncludePad ? 1 : 0)]);
}
