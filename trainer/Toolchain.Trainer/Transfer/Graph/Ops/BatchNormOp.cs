using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Toolchain.Trainer.Transfer.Graph.Ops;

/// <summary>
/// ONNX BatchNormalization over channels: scale and bias trainable, running mean and variance as buffers that a
/// training pass updates with the file's momentum. Opsets 7–8 carry <c>spatial</c> (1, per channel, is what later
/// opsets always do; 0 is refused) and it is dropped on emission; a node in training mode is refused.
/// When <see cref="Frozen"/>, the op stays in eval mode whatever <c>train()</c> says, so a frozen backbone keeps
/// its ImageNet statistics while the layers after it train.
/// </summary>
internal sealed class BatchNormOp : GraphOp
{
    private readonly float _epsilon;
    private readonly float _momentum;

    private BatchNormOp(string moduleName, NodeContext node) : base(moduleName, node)
    {
        node.OnlyAttributes("epsilon", "momentum", "spatial", "training_mode");
        if (node.Int("spatial", 1) != 1)
        {
            throw node.Refuse("normalises per activation (spatial = 0); import supports per-channel BatchNormalization only");
        }
        if (node.Int("training_mode", 0) != 0)
        {
            throw node.Refuse("is in training mode; export the backbone for inference");
        }
        _epsilon = node.Float("epsilon", 1e-5f);
        _momentum = node.Float("momentum", 0.9f);
        string[] roles = ["scale", "bias", "running mean", "running variance"];
        var values = Enumerable.Range(1, 4).Select(i => node.FloatConstant(i, roles[i - 1])).ToArray();
        var channels = values[0].shape[0];
        if (values.Any(v => v.dim() != 1 || v.shape[0] != channels))
        {
            throw node.Refuse("has scale, bias, mean and variance of different shapes");
        }
        Weight("weight", values[0], node.ConstantName(1, "scale"));
        Weight("bias", values[1], node.ConstantName(2, "bias"));
        State("running_mean", values[2], node.ConstantName(3, "running mean"));
        State("running_var", values[3], node.ConstantName(4, "running variance"));
    }

    public static GraphOp Parse(string moduleName, NodeContext node) => new BatchNormOp(moduleName, node);

    /// <summary>Whether the op stays in eval mode (running statistics used, not updated) even when the graph trains.</summary>
    public bool Frozen { get; set; }

    public override void train(bool train = true) => base.train(train && !Frozen);

    // ONNX's momentum weighs the old running value (running = running · m + batch · (1 − m)); torch's weighs the batch.
    public override Tensor Run(IReadOnlyList<Tensor> inputs) =>
        F.batch_norm(inputs[0], Value("running_mean"), Value("running_var"), Value("weight"), Value("bias"), training, 1 - _momentum, _epsilon);

    public override void Emit(GraphWriter writer) =>
        writer.Node("BatchNormalization", NodeName,
            [Inputs[0], EmitValue(writer, "weight"), EmitValue(writer, "bias"), EmitValue(writer, "running_mean"), EmitValue(writer, "running_var")],
            Output, GraphWriter.Float("epsilon", _epsilon), GraphWriter.Float("momentum", _momentum));
}
