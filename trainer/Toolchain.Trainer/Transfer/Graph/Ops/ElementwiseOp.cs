using static TorchSharp.torch;

namespace Toolchain.Trainer.Transfer.Graph.Ops;

/// <summary>
/// A commutative two-input ONNX op with numpy broadcasting (Add, Mul): both inputs computed (a residual Add), or one
/// a constant initializer, kept as a buffer and written back.
/// </summary>
internal abstract class ElementwiseOp : GraphOp
{
    private readonly bool _constant;

    protected ElementwiseOp(string moduleName, NodeContext node) : base(moduleName, node)
    {
        node.OnlyAttributes();
        if (node.Input(0) is null || node.Input(1) is null || node.Node.Input.Count != 2)
        {
            throw node.Refuse("needs exactly two inputs");
        }
        if (node.IsConstant(0) && node.IsConstant(1))
        {
            throw node.Refuse("has two constant inputs; fold it before import");
        }
        var constantAt = node.IsConstant(0) ? 0 : node.IsConstant(1) ? 1 : -1;
        if (constantAt >= 0)
        {
            State("constant", node.FloatConstant(constantAt, "operand"), node.ConstantName(constantAt, "operand"));
            _constant = true;
        }
    }

    protected abstract string OnnxOp { get; }

    protected abstract Tensor Apply(Tensor a, Tensor b);

    public override Tensor Run(IReadOnlyList<Tensor> inputs) => Apply(inputs[0], _constant ? Value("constant") : inputs[1]);

    public override void Emit(GraphWriter writer) =>
        writer.Node(OnnxOp, NodeName, _constant ? [Inputs[0], EmitValue(writer, "constant")] : [Inputs[0], Inputs[1]], Output);
}

/// <summary>ONNX Add: residual connections, or a constant bias.</summary>
internal sealed class AddOp : ElementwiseOp
{
    private AddOp(string moduleName, NodeContext node) : base(moduleName, node) { }

    public static GraphOp Parse(string moduleName, NodeContext node) => new AddOp(moduleName, node);

    protected override string OnnxOp => "Add";

    protected override Tensor Apply(Tensor a, Tensor b) => a.add(b);
}

/// <summary>ONNX Mul: gates (x · sigmoid(x), squeeze-and-excitation), or a constant scale.</summary>
internal sealed class MulOp : ElementwiseOp
{
    private MulOp(string moduleName, NodeContext node) : base(moduleName, node) { }

    public static GraphOp Parse(string moduleName, NodeContext node) => new MulOp(moduleName, node);

    protected override string OnnxOp => "Mul";

    protected override Tensor Apply(Tensor a, Tensor b) => a.mul(b);
}
