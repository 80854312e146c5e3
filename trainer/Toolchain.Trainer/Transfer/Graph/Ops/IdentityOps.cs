using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Toolchain.Trainer.Transfer.Graph.Ops;

/// <summary>ONNX Identity.</summary>
internal sealed class IdentityOp : GraphOp
{
    private IdentityOp(string moduleName, NodeContext node) : base(moduleName, node) => node.OnlyAttributes();

    public static GraphOp Parse(string moduleName, NodeContext node) => new IdentityOp(moduleName, node);

    // A new handle on the same storage: the graph disposes each value after its last use, input and output alike.
    public override Tensor Run(IReadOnlyList<Tensor> inputs) => inputs[0].alias();

    public override void Emit(GraphWriter writer) => writer.Node("Identity", NodeName, [Inputs[0]], Output);
}

/// <summary>
/// ONNX Dropout: drops with its ratio while the graph trains, passes through otherwise, and is emitted as Identity
/// (the exported graph is for inference). The ratio is an attribute up to opset 11 and a constant input from 12.
/// </summary>
internal sealed class DropoutOp : GraphOp
{
    private readonly double _ratio;

    private DropoutOp(string moduleName, NodeContext node) : base(moduleName, node)
    {
        node.OnlyAttributes("ratio", "seed");
        if (node.Opset < 12)
        {
            _ratio = node.Float("ratio", 0.5f);
        }
        else if (node.Input(1) is not null)
        {
            using var r = node.FloatConstant(1, "ratio");
            _ratio = r.item<float>();
        }
        else
        {
            _ratio = 0.5;
        }
        if (node.Input(2) is not null)
        {
            throw node.Refuse("has a training_mode input; export the backbone for inference");
        }
    }

    public static GraphOp Parse(string moduleName, NodeContext node) => new DropoutOp(moduleName, node);

    public override Tensor Run(IReadOnlyList<Tensor> inputs) =>
        training ? F.dropout(inputs[0], _ratio, training: true) : inputs[0].alias();

    public override void Emit(GraphWriter writer) => writer.Node("Identity", NodeName, [Inputs[0]], Output);
}
