using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using Parameter = TorchSharp.Modules.Parameter;

namespace Toolchain.Trainer.Transfer.Graph.Ops;

/// <summary>ONNX Gemm with constant B (weights, trainable) and optional constant C (bias, trainable): alpha · A' · B' + beta · C.</summary>
internal sealed class GemmOp : GraphOp
{
    private readonly Parameter _weight;
    private readonly Parameter? _bias;
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
        _weight = Weight("weight", w, node.ConstantName(1, "weights"));
        if (node.Input(2) is not null)
        {
            _bias = Weight("bias", node.FloatConstant(2, "bias"), node.ConstantName(2, "bias"));
        }
    }

    public static GraphOp Parse(string moduleName, NodeContext node) => new GemmOp(moduleName, node);

    public override Tensor Run(IReadOnlyList<Tensor> inputs)
    {
        var a = _transA ? inputs[0].t() : inputs[0];
        if (_transB && _alpha == 1 && _beta == 1 && (_bias is null || _bias.dim() == 1))
        {
            return F.linear(a, _weight, _bias);
        }
        var y = a.matmul(_transB ? _weight.t() : _weight);
        if (_alpha != 1)
        {
            y = y.mul(_alpha);
        }
        return _bias is null ? y : y.add(_beta == 1 ? _bias : _bias.mul(_beta));
    }

    public override void Emit(GraphWriter writer)
    {
        List<string> inputs = [Inputs[0], writer.Initializer(Initializers["weight"], _weight)];
        if (_bias is not null)
        {
            inputs.Add(writer.Initializer(Initializers["bias"], _bias));
        }
        writer.Node("Gemm", NodeName, inputs, Output,
            GraphWriter.Float("alpha", _alpha), GraphWriter.Float("beta", _beta),
            GraphWriter.Int("transA", _transA ? 1 : 0), GraphWriter.Int("transB", _transB ? 1 : 0));
    }
}
