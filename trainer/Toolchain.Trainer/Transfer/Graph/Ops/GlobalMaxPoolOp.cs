using static TorchSharp.torch;

namespace Toolchain.Trainer.Transfer.Graph.Ops;

/// <summary>ONNX GlobalMaxPool: the maximum over every spatial axis, kept as size-1 axes.</summary>
internal sealed class GlobalMaxPoolOp : GraphOp
{
    private GlobalMaxPoolOp(string moduleName, NodeContext node) : base(moduleName, node) => node.OnlyAttributes();

    public static GraphOp Parse(string moduleName, NodeContext node) => new GlobalMaxPoolOp(moduleName, node);

    public override Tensor Run(IReadOnlyList<Tensor> inputs) =>
        inputs[0].amax(Enumerable.Range(2, (int)inputs[0].dim() - 2).Select(d => (long)d).ToArray(), keepdim: true);

    public override void Emit(GraphWriter writer) => writer.Node("GlobalMaxPool", NodeName, [Inputs[0]], Output);
}
