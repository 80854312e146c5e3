using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Toolchain.Trainer.Transfer.Graph;

/// <summary>
/// One node of an imported ONNX graph, one subclass per op kind: it parses its node (<c>Parse</c>, for the source
/// file's opset), runs in TorchSharp (<see cref="Run"/>) and emits itself at the exporter's opset with its current
/// weights (<see cref="Emit"/>). Weights become parameters (trainable) and BatchNorm statistics buffers, registered
/// under the role ONNX gives them (<c>weight</c>, <c>bias</c>, <c>running_mean</c> …) and mapped back to the
/// initializer they came from (<see cref="Initializers"/>), so the emitted file keeps the source's names.
/// </summary>
internal abstract class GraphOp : nn.Module
{
    private readonly Dictionary<string, string> _initializers = [];

    protected GraphOp(string moduleName, NodeContext node) : base(moduleName)
    {
        NodeName = node.Node.Name;
        OpType = node.Node.OpType;
        Output = node.Node.Output[0];
        Inputs = node.Node.Input.Where((name, i) => name.Length > 0 && !node.IsConstant(i)).ToArray();
    }

    /// <summary>The source node's name (possibly made up when the file left it empty).</summary>
    public string NodeName { get; }

    /// <summary>The ONNX op type.</summary>
    public string OpType { get; }

    /// <summary>The computed (non-constant) inputs, in the order <see cref="Run"/> takes them.</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <summary>The tensor this op produces.</summary>
    public string Output { get; }

    /// <summary>Parameter or buffer role → the initializer name it came from and is written back to.</summary>
    public IReadOnlyDictionary<string, string> Initializers => _initializers;

    /// <summary>Computes the op's output from its computed inputs (in <see cref="Inputs"/> order).</summary>
    public abstract Tensor Run(IReadOnlyList<Tensor> inputs);

    /// <summary>Writes the op's node(s) and its current weights.</summary>
    public abstract void Emit(GraphWriter writer);

    /// <summary>
    /// Registers a trainable weight from initializer <paramref name="initializer"/>. Ops read it back by role
    /// (<see cref="Value"/>) rather than keep it in a field: <c>Module.to(device or dtype)</c> replaces
    /// registered tensors, and a field would go on pointing at the old one.
    /// </summary>
    protected void Weight(string role, Tensor value, string initializer)
    {
        register_parameter(role, new Parameter(value, requires_grad: true));
        _initializers[role] = initializer;
    }

    /// <summary>Registers a non-trained tensor (running statistics, constants) from initializer <paramref name="initializer"/>.</summary>
    protected void State(string role, Tensor value, string initializer)
    {
        register_buffer(role, value, persistent: true);
        _initializers[role] = initializer;
    }

    /// <summary>The registered weight or state <paramref name="role"/>, as it is now.</summary>
    protected Tensor Value(string role) =>
        (Tensor?)get_parameter(role) ?? get_buffer(role) ?? throw new InvalidOperationException($"node '{NodeName}' has no '{role}'");

    /// <summary>The registered weight or state <paramref name="role"/>, or null when the node has none.</summary>
    protected Tensor? OptionalValue(string role) => _initializers.ContainsKey(role) ? Value(role) : null;

    /// <summary>Emits the registered tensor <paramref name="role"/> under its source initializer's name; returns that name.</summary>
    protected string EmitValue(GraphWriter writer, string role) => writer.Initializer(_initializers[role], Value(role));

    /// <summary>ONNX pads [top, left, bottom, right] as torch's F.pad order [left, right, top, bottom].</summary>
    protected static long[] TorchPad(long[] pads) => [pads[1], pads[3], pads[0], pads[2]];

    /// <summary>Whether ONNX pads are the same at both ends of each axis (so torch's symmetric padding can take them).</summary>
    protected static bool Symmetric(long[] pads) => pads[0] == pads[2] && pads[1] == pads[3];
}
