using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Toolchain.Trainer.Transfer.Graph.Ops;

/// <summary>ONNX Relu.</summary>
internal sealed class ReluOp : GraphOp
{
    private ReluOp(string moduleName, NodeContext node) : base(moduleName, node) => node.OnlyAttributes();

    public static GraphOp Parse(string moduleName, NodeContext node) => new ReluOp(moduleName, node);

    public override Tensor Run(IReadOnlyList<Tensor> inputs) => F.relu(inputs[0]);

    public override void Emit(GraphWriter writer) => writer.Node("Relu", NodeName, [Inputs[0]], Output);
}

/// <summary>ONNX Sigmoid.</summary>
internal sealed class SigmoidOp : GraphOp
{
    private SigmoidOp(string moduleName, NodeContext node) : base(moduleName, node) => node.OnlyAttributes();

    public static GraphOp Parse(string moduleName, NodeContext node) => new SigmoidOp(moduleName, node);

    public override Tensor Run(IReadOnlyList<Tensor> inputs) => inputs[0].sigmoid();

    public override void Emit(GraphWriter writer) => writer.Node("Sigmoid", NodeName, [Inputs[0]], Output);
}

/// <summary>
/// ONNX Clip with constant bounds (ReLU6 in MobileNets): attributes up to opset 10, constant inputs from 11; emitted
/// with scalar initializers.
/// </summary>
internal sealed class ClipOp : GraphOp
{
    private readonly float _min;
    private readonly float _max;

    private ClipOp(string moduleName, NodeContext node) : base(moduleName, node)
    {
        if (node.Opset < 11)
        {
            node.OnlyAttributes("min", "max");
            (_min, _max) = (node.Float("min", float.MinValue), node.Float("max", float.MaxValue));
            return;
        }
        node.OnlyAttributes();
        float Bound(int i, float fallback)
        {
            if (node.Input(i) is null)
            {
                return fallback;
            }
            using var t = node.FloatConstant(i, i == 1 ? "min" : "max");
            return t.numel() == 1 ? t.item<float>() : throw node.Refuse("has a bound that is not a scalar");
        }
        (_min, _max) = (Bound(1, float.MinValue), Bound(2, float.MaxValue));
    }

    public static GraphOp Parse(string moduleName, NodeContext node) => new ClipOp(moduleName, node);

    public override Tensor Run(IReadOnlyList<Tensor> inputs) => inputs[0].clamp(_min, _max);

    public override void Emit(GraphWriter writer)
    {
        using var min = tensor(_min);
        using var max = tensor(_max);
        writer.Node("Clip", NodeName,
            [Inputs[0], writer.Initializer($"{NodeName}.min", min), writer.Initializer($"{NodeName}.max", max)], Output);
    }
}
