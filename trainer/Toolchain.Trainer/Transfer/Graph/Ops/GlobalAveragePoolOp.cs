using static TorchSharp.torch;

namespace Toolchain.Trainer.Transfer.Graph.Ops;

/// <summary>ONNX GlobalAveragePool: the mean over every spatial axis, kept as size-1 axes.</summary>
internal sealed class GlobalAveragePoolOp : GraphOp
{
    private GlobalAveragePoolOp(string moduleName, NodeContext node) : base(moduleName, node) => node.OnlyAttributes();

    public static GraphOp Parse(string moduleName, NodeContext node) => new GlobalAveragePoolOp(moduleName, node);

    public override Tensor Run(IReadOnlyList<Tensor> inputs) =>
        inputs[0].mean(Enumerable.Range(2, (int)inputs[0].dim() - 2).Select(d => (long)d).ToArray(), keepdim: true);

    public override void Emit(GraphWriter writer) => writer.Node("GlobalAveragePool", NodeName, [Inputs[0]], Output);
}
