using static TorchSharp.torch;

namespace Toolchain.Trainer.Transfer.Graph.Ops;

/// <summary>ONNX Flatten: the axes before <c>axis</c> into one, the rest into another.</summary>
internal sealed class FlattenOp : GraphOp
{
    private readonly long _axis;

    private FlattenOp(string moduleName, NodeContext node) : base(moduleName, node)
    {
        node.OnlyAttributes("axis");
        _axis = node.Int("axis", 1);
    }

    public static GraphOp Parse(string moduleName, NodeContext node) => new FlattenOp(moduleName, node);

    public override Tensor Run(IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        var axis = _axis < 0 ? _axis + x.dim() : _axis;
        var outer = x.shape.Take((int)axis).Aggregate(1L, (a, b) => a * b);
        return x.reshape(outer, -1);
    }

    public override void Emit(GraphWriter writer) => writer.Node("Flatten", NodeName, [Inputs[0]], Output, GraphWriter.Int("axis", _axis));
}

/// <summary>
/// ONNX Reshape to a constant shape (0 copies the input's axis, −1 is inferred). A source graph with a fixed batch
/// of 1 bakes that 1 into its reshapes ([1, 512]); there a leading 1 is read as "the batch" and written as 0, so the
/// emitted graph takes any batch.
/// </summary>
internal sealed class ReshapeOp : GraphOp
{
    private readonly long[] _shape;

    private ReshapeOp(string moduleName, NodeContext node) : base(moduleName, node)
    {
        node.OnlyAttributes("allowzero");
        _shape = node.IntConstant(1, "target shape");
        if (node.Int("allowzero", 0) != 0 && _shape.Contains(0))
        {
            throw node.Refuse("has allowzero with a zero in its shape");
        }
        if (node.FixedBatch && _shape.Length > 0 && _shape[0] == 1)
        {
            _shape[0] = 0;
        }
    }

    public static GraphOp Parse(string moduleName, NodeContext node) => new ReshapeOp(moduleName, node);

    public override Tensor Run(IReadOnlyList<Tensor> inputs)
    {
        var x = inputs[0];
        return x.reshape(_shape.Select((d, i) => d == 0 ? x.shape[i] : d).ToArray());
    }

    public override void Emit(GraphWriter writer) =>
        writer.Node("Reshape", NodeName, [Inputs[0], writer.Int64Initializer($"{NodeName}.shape", _shape)], Output);
}

/// <summary>ONNX Concat of computed inputs along one axis.</summary>
internal sealed class ConcatOp : GraphOp
{
    private readonly long _axis;

    private ConcatOp(string moduleName, NodeContext node) : base(moduleName, node)
    {
        node.OnlyAttributes("axis");
        _axis = node.Attribute("axis")?.I ?? (node.Opset < 4 ? 1 : throw node.Refuse("has no axis"));
        if (Enumerable.Range(0, node.Node.Input.Count).Any(node.IsConstant))
        {
            throw node.Refuse("concatenates a constant; import supports computed inputs only");
        }
    }

    public static GraphOp Parse(string moduleName, NodeContext node) => new ConcatOp(moduleName, node);

    public override Tensor Run(IReadOnlyList<Tensor> inputs) => cat(inputs.ToList(), _axis);

    public override void Emit(GraphWriter writer) => writer.Node("Concat", NodeName, Inputs, Output, GraphWriter.Int("axis", _axis));
}
