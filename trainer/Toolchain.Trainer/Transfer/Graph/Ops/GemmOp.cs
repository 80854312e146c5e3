using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Toolchain.Trainer.Transfer.Graph.Ops;

/// <summary>ONNX Gemm with constant B (weights, trainable) and optional constant C (bias, trainable): alpha · A' · B' + beta · C.</summary>
internal sealed class GemmOp : GraphOp
{
    private readonly float _alpha;
    private readonly float _beta;
    private readonly bool _transA;
    private readonly bool _transB;

    private GemmOp(string moduleName, NodeContext node) : base(moduleName, node)
    {
        node.OnlyAttributes("alpha", "beta", "transA", "transB");
        _alpha = node.Float("alpha", 1);
        _beta = node.Float("beta", 1);
        _transA = node.Int("transA", 0) != 0;
        _transB = node.Int("transB", 0) != 0;
        var w = node.FloatConstant(1, "weights");
        if (w.dim() != 2)
        {
            throw node.Refuse("has weights that are not a matrix");
        }
        Weight("weight", w, node.ConstantName(1, "weights"));
        if (node.Input(2) is not null)
        {
            Weight("bias", node.FloatConstant(2, "bias"), node.ConstantName(2, "bias"));
        }
    }

    public static GraphOp Parse(string moduleName, NodeContext node) => new GemmOp(moduleName, node);

    public override Tensor Run(IReadOnlyList<Tensor> inputs)
    {
        var a = _transA ? inputs[0].t() : inputs[0];
        var weight = Value("weight");
        var bias = OptionalValue("bias");
        if (_transB && _alpha == 1 && _beta == 1 && (bias is null || bias.dim() == 1))
        {
            return F.linear(a, weight, bias);
        }
        var y = a.matmul(_transB ? weight.t() : weight);
        if (_alpha != 1)
        {
            y = y.mul(_alpha);
        }
        return bias is null ? y : y.add(_beta == 1 ? bias : bias.mul(_beta));
    }

    public override void Emit(GraphWriter writer)
    {
        List<string> inputs = [Inputs[0], EmitValue(writer, "weight")];
        if (Initializers.ContainsKey("bias"))
        {
            inputs.Add(EmitValue(writer, "bias"));
        }
        writer.Node("Gemm", NodeName, inputs, Output,
            GraphWriter.Float("alpha", _alpha), GraphWriter.Float("beta", _beta),
            GraphWriter.Int("transA", _transA ? 1 : 0), GraphWriter.Int("transB", _transB ? 1 : 0));
    }
}
