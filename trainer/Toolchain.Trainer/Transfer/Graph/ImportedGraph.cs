using System.Runtime.InteropServices;
using System.Text;
using Onnx;
using Toolchain.Contracts;
using Toolchain.Trainer.Models;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Toolchain.Trainer.Transfer.Graph;

/// <summary>How much of an imported backbone trains.</summary>
public enum BackboneTuning
{
    /// <summary>Nothing: the backbone is a fixed featurizer (the default).</summary>
    Frozen,

    /// <summary>The last stage (<see cref="ImportedGraph.LastStageInput"/>); the rest stays frozen.</summary>
    Last,

    /// <summary>Every layer.</summary>
    All,
}

/// <summary>
/// An ONNX image backbone imported as a TorchSharp module: one <see cref="GraphOp"/> per node, run in the file's
/// (topological) order. It is its own model kind rather than an architecture spec: a spec is a sequential list of
/// layers, and a backbone is a graph whose residual Adds and Concats join branches, which a list cannot say.
/// </summary>
/// <remarks>
/// <para>Parameters are registered per node (<c>Convolution249.weight</c>, <c>BatchNormalization251.running_mean</c>)
/// and map back to the initializers they came from (<see cref="InitializerOf"/>); <see cref="Emit"/> writes the
/// graph back with the current weights at the exporter's opset.</para>
/// <para>The <b>last stage</b> is what <c>--fine-tune last</c> trains. By default it starts at the input of the
/// first node that computes at the graph's smallest spatial resolution above 1×1 (for a ResNet: the last group of
/// residual blocks, torchvision's <c>layer4</c>, whose first block downsamples 14×14 to 7×7), moved back to the
/// nearest tensor that every later node depends on alone (the output of the block before it), so that the stages
/// before it can run once, frozen, and their activations be cached. A backbone config may name that tensor, or the
/// node producing it, instead (<c>last_stage</c>).</para>
/// <para>Frozen parameters do not require gradients, and frozen BatchNorm layers stay in eval mode when the module
/// trains. <see cref="ForwardFrozen"/> runs the frozen part alone and <see cref="ForwardTrainable"/> the rest.</para>
/// </remarks>
public sealed class ImportedGraph : nn.Module<Tensor, Tensor>
{
    private readonly List<GraphOp> _ops;
    private readonly Dictionary<string, int> _producer;
    private readonly Dictionary<string, long[]> _shapes = [];
    private int _cut;

    private ImportedGraph(string inputName, string outputName, int opset, List<GraphOp> ops, long[] inputShape) : base("backbone")
    {
        InputName = inputName;
        OutputName = outputName;
        SourceOpset = opset;
        InputShape = inputShape;
        _ops = ops;
        _producer = ops.Select((op, i) => (op.Output, i)).ToDictionary(x => x.Output, x => x.i);
        _producer[inputName] = -1;
        foreach (var op in ops)
        {
            register_module(op.GetName(), op);
        }
    }

    /// <summary>The graph input: an image batch [N, 3, H, W].</summary>
    public string InputName { get; }

    /// <summary>The tensor read as features.</summary>
    public string OutputName { get; }

    /// <summary>The source file's opset.</summary>
    public int SourceOpset { get; }

    /// <summary>The input shape without the batch axis: [3, H, W].</summary>
    public long[] InputShape { get; }

    /// <summary>The output's shape without the batch axis: [C] or [C, 1, 1].</summary>
    public long[] OutputShape => _shapes[OutputName];

    /// <summary>Features per image: the output flattened.</summary>
    public long FeatureWidth => OutputShape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The op types in use and how many nodes of each, e.g. <c>Conv×22, BatchNormalization×22, …</c>.</summary>
    public string OpSummary => string.Join(", ", _ops.GroupBy(o => o.OpType).Select(g => $"{g.Key}×{g.Count()}"));

    /// <summary>Nodes in the graph.</summary>
    public int NodeCount => _ops.Count;

    /// <summary>The tensor where the last stage starts (the graph input when the graph has no earlier cut point).</summary>
    public string LastStageInput { get; private set; } = "";

    /// <summary>
    /// Channels of the activations at <see cref="LastStageInput"/> when they can be averaged into features (an
    /// [C, H, W] tensor that is not the input image), else 0.
    /// </summary>
    public long StageWidth => LastStageInput != InputName && _shapes.TryGetValue(LastStageInput, out var s) && s.Length == 3 ? s[0] : 0;

    /// <summary>What the head reads (<see cref="UseFeatures"/>): the output alone unless a stage is appended.</summary>
    public FeatureSet FeatureSet { get; private set; } = FeatureSet.Output;

    /// <summary>Values the head reads per image: the output's, and the stage's channels when appended.</summary>
    public long HeadWidth => FeatureWidth + (FeatureSet == FeatureSet.WithStage ? StageWidth : 0);

    /// <summary>
    /// Sets what the head reads and returns what it will: <see cref="FeatureSet.WithStage"/> on a graph with no stage
    /// to average (<see cref="StageWidth"/> 0) is the output alone.
    /// </summary>
    public FeatureSet UseFeatures(FeatureSet set) => FeatureSet = set == FeatureSet.WithStage && StageWidth == 0 ? FeatureSet.Output : set;

    /// <summary>What <see cref="FeatureSet"/> reads, for the card: e.g. <c>Pooling395_Output_0 (512) + mean of Relu343 (256)</c>; empty for the output alone.</summary>
    public string FeatureText => FeatureSet == FeatureSet.WithStage
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{OutputName} ({FeatureWidth}) + mean of {LastStageInput} ({StageWidth})")
        : "";

    /// <summary>How much trains now (<see cref="SetTuning"/>).</summary>
    public BackboneTuning Tuning { get; private set; } = BackboneTuning.Frozen;

    /// <summary>The tensor where the trainable part starts: the input (all), <see cref="LastStageInput"/> (last) or the output (frozen).</summary>
    public string TrainableFrom => _cut < 0 ? InputName : _ops[_cut].Output;

    /// <summary>The shape, without the batch axis, of the activations at <see cref="TrainableFrom"/> (what a cache of the frozen part holds).</summary>
    public long[] TrainableFromShape => _cut < 0 ? InputShape : _shapes[_ops[_cut].Output];

    /// <summary>The node names of the trainable part, in order.</summary>
    public IEnumerable<string> TrainableNodes => _ops.Skip(_cut + 1).Select(o => o.NodeName);

    /// <summary>The initializer a parameter or buffer (as <c>named_parameters</c> names it) was read from and is written back to.</summary>
    public string InitializerOf(string parameterName)
    {
        var dot = parameterName.LastIndexOf('.');
        var op = dot < 0 ? null : _ops.FirstOrDefault(o => o.GetName() == parameterName[..dot]);
        return op is not null && op.Initializers.TryGetValue(parameterName[(dot + 1)..], out var name)
            ? name
            : throw new ArgumentException($"'{parameterName}' is no parameter of this graph", nameof(parameterName));
    }

    /// <summary>
    /// Freezes the backbone, or unfreezes its last stage or all of it: frozen parameters stop requiring gradients,
    /// frozen BatchNorm layers stay in eval mode.
    /// </summary>
    public void SetTuning(BackboneTuning tuning)
    {
        var lastStage = _producer[LastStageInput];
        _cut = tuning switch
        {
            BackboneTuning.All => -1,
            BackboneTuning.Last => lastStage,
            _ => _ops.Count - 1,
        };
        Tuning = tuning;
        for (int i = 0; i < _ops.Count; i++)
        {
            bool frozen = i <= _cut;
            foreach (var (_, p) in _ops[i].named_parameters())
            {
                p.requires_grad = !frozen;
            }
            if (_ops[i] is Ops.BatchNormOp bn)
            {
                bn.Frozen = frozen;
                bn.train(training);
            }
        }
    }

    /// <summary>
    /// The convolutions of the trainable part whose input gradient backpropagation computes: all but those reading the
    /// tensor where the trainable part starts (cached activations or the pictures, which need no gradient).
    /// </summary>
    public IEnumerable<ConvGeometry> ConvolutionsNeedingInputGradients() =>
        _ops.Skip(_cut + 1).OfType<Ops.ConvOp>().Where(c => c.Inputs[0] != TrainableFrom).Select(c => c.Geometry(_shapes[c.Inputs[0]]));

    /// <summary>The parameters that train under the current <see cref="Tuning"/>.</summary>
    public IEnumerable<Parameter> TrainableParameters() => parameters().Where(p => p.requires_grad);

    /// <summary>The whole backbone: images [N, 3, H, W] to its output.</summary>
    public override Tensor forward(Tensor input) => Run(input, InputName, 0, _ops.Count);

    /// <summary>The frozen part alone: images to the activations at <see cref="TrainableFrom"/> (run it under no_grad).</summary>
    public Tensor ForwardFrozen(Tensor input) => _cut < 0 ? input.alias() : Run(input, InputName, 0, _cut + 1);

    /// <summary>The trainable part alone: activations at <see cref="TrainableFrom"/> to the output.</summary>
    public Tensor ForwardTrainable(Tensor activations) =>
        _cut == _ops.Count - 1 ? activations.alias() : Run(activations, TrainableFrom, _cut + 1, _ops.Count);

    /// <summary>Images [N, 3, H, W] to what the head reads [N, <see cref="HeadWidth"/>]: the output flattened, then the stage's channel means.</summary>
    public Tensor HeadInput(Tensor images)
    {
        if (FeatureSet == FeatureSet.Output)
        {
            return forward(images).flatten(1);
        }
        int stage = _producer[LastStageInput];
        using var activations = Run(images, InputName, 0, stage + 1);
        return Join(Run(activations, LastStageInput, stage + 1, _ops.Count), activations);
    }

    /// <summary>
    /// The activations at <see cref="LastStageInput"/> (what fine-tuning the last stage caches) to what the head reads,
    /// through the last stage.
    /// </summary>
    public Tensor HeadInputFromStage(Tensor activations)
    {
        int stage = _producer[LastStageInput];
        var output = stage == _ops.Count - 1 ? activations.alias() : Run(activations, LastStageInput, stage + 1, _ops.Count);
        return Join(output, activations);
    }

    private Tensor Join(Tensor output, Tensor activations)
    {
        if (FeatureSet == FeatureSet.Output)
        {
            using (output)
            {
                return output.flatten(1);
            }
        }
        using var flat = output.flatten(1);
        using var pooled = activations.mean([2, 3]);
        output.Dispose();
        return cat([flat, pooled], 1);
    }

    /// <summary>Writes every node with the current weights; the graph input is read from <c>writer.Name(InputName)</c>.</summary>
    internal void Emit(GraphWriter writer)
    {
        foreach (var op in _ops)
        {
            op.Emit(writer);
        }
    }

    /// <summary>
    /// Runs ops [<paramref name="start"/>, <paramref name="end"/>) from <paramref name="input"/> (the value of
    /// <paramref name="from"/>), disposing each intermediate value after its last use so that a large batch holds
    /// only the activations still needed.
    /// </summary>
    private Tensor Run(Tensor input, string from, int start, int end, Action<GraphOp, Tensor>? observe = null)
    {
        var values = new Dictionary<string, Tensor> { [from] = input };
        var lastUse = new Dictionary<string, int>();
        for (int i = start; i < end; i++)
        {
            foreach (var name in _ops[i].Inputs)
            {
                lastUse[name] = i;
            }
        }
        for (int i = start; i < end; i++)
        {
            var op = _ops[i];
            var args = new Tensor[op.Inputs.Count];
            for (int k = 0; k < args.Length; k++)
            {
                args[k] = values.TryGetValue(op.Inputs[k], out var v)
                    ? v
                    : throw new InvalidOperationException($"'{op.Inputs[k]}' is not computed before node '{op.NodeName}'");
            }
            var result = op.Run(args);
            values[op.Output] = result;
            observe?.Invoke(op, result);
            foreach (var name in op.Inputs.Distinct())
            {
                if (lastUse[name] == i && name != from)
                {
                    values.Remove(name);
                    args[op.Inputs.ToList().IndexOf(name)].Dispose();
                }
            }
        }
        return values[end == start ? from : _ops[end - 1].Output];
    }

    /// <summary>
    /// Imports <paramref name="model"/>: the nodes that <paramref name="output"/> depends on, from
    /// <paramref name="input"/> at <paramref name="height"/> × <paramref name="width"/>. Runs one image through it to
    /// learn every tensor's shape and find the last stage. Throws <see cref="ToolchainException"/> with one line
    /// naming the file (<paramref name="source"/>), node or op that cannot be imported.
    /// </summary>
    public static ImportedGraph Import(ModelProto model, string input, string output, int height, int width, string source, string? lastStage = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = model.Graph ?? throw new ToolchainException($"{source}: the ONNX file has no graph");
        var opset = (int)(model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 0);
        if (opset is < 7 or > 21)
        {
            throw new ToolchainException($"{source}: opset {opset} is not supported; import reads opsets 7 to 21");
        }
        var constants = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (var t in graph.Initializer)
        {
            constants[t.Name] = t;
        }
        var inputInfo = graph.Input.FirstOrDefault(i => i.Name == input && !constants.ContainsKey(i.Name))
            ?? throw new ToolchainException(
                $"{source}: the graph has no input '{input}' (its inputs: {string.Join(", ", graph.Input.Where(i => !constants.ContainsKey(i.Name)).Select(i => i.Name))})");
        bool fixedBatch = CheckInput(inputInfo, height, width, source);

        // Only the nodes the output depends on: a classifier's head after the named features is dropped.
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var o in node.Output.Where(o => o.Length > 0))
            {
                producers[o] = node;
            }
        }
        if (output != input && !producers.ContainsKey(output))
        {
            throw new ToolchainException($"{source}: the graph has no tensor '{output}' to read the features from");
        }
        var needed = new HashSet<NodeProto>();
        var pending = new Stack<string>([output]);
        while (pending.TryPop(out var name))
        {
            if (name == input || constants.ContainsKey(name) || !producers.TryGetValue(name, out var node) || !needed.Add(node))
            {
                continue;
            }
            if (node.OpType == "Constant")
            {
                constants[name] = FoldConstant(node, source);
                continue;
            }
            foreach (var i in node.Input.Where(i => i.Length > 0))
            {
                pending.Push(i);
            }
        }

        var ops = new List<GraphOp>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var produced = new HashSet<string>(StringComparer.Ordinal) { input };
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        int index = 0;
        foreach (var node in graph.Node)
        {
            index++;
            if (!needed.Contains(node) || node.OpType == "Constant")
            {
                continue;
            }
            if (node.Domain is not ("" or "ai.onnx"))
            {
                throw new ToolchainException($"{source}: node '{node.Name}' uses the op '{node.Domain}.{node.OpType}', which import does not support");
            }
            if (node.Name.Length == 0)
            {
                node.Name = $"{node.OpType}_{index}";
            }
            if (!OpKinds.TryGet(node.OpType, out var parse))
            {
                throw new ToolchainException(
                    $"{source}: node '{node.Name}' uses the op '{node.OpType}', which import does not support (supported: {OpKinds.Supported})");
            }
            var context = new NodeContext(node, opset, constants, fixedBatch);
            var op = parse(ModuleName(node.Name, names), context);
            foreach (var i in op.Inputs)
            {
                if (!produced.Contains(i))
                {
                    throw new ToolchainException(
                        $"{source}: {context.Describe} reads '{i}', which no earlier supported node produces");
                }
            }
            // Each weight is trained and written back by one op; two ops holding copies of one initializer would drift apart.
            foreach (var initializer in op.Initializers.Values)
            {
                if (!owners.TryAdd(initializer, node.Name))
                {
                    throw new ToolchainException(
                        $"{source}: the initializer '{initializer}' is shared by nodes '{owners[initializer]}' and '{node.Name}'; import does not support shared weights");
                }
            }
            produced.Add(op.Output);
            ops.Add(op);
        }
        if (ops.Count == 0)
        {
            throw new ToolchainException($"{source}: no node computes '{output}' from '{input}'");
        }
        if (ops[^1].Output != output)
        {
            throw new ToolchainException($"{source}: '{output}' is not the last tensor its nodes compute; the graph is not in topological order");
        }
        var imported = new ImportedGraph(input, output, opset, ops, [3, height, width]);
        imported.LearnShapes(source, height, width);
        imported.LastStageInput = lastStage is null ? imported.DefaultLastStage() : imported.NamedCut(lastStage, source);
        imported.SetTuning(BackboneTuning.Frozen);
        imported.eval();
        return imported;
    }

    /// <summary>Checks the graph input is a float image batch of 3 channels at the configured size; returns whether its batch is fixed at 1.</summary>
    private static bool CheckInput(ValueInfoProto info, int height, int width, string source)
    {
        var type = info.Type?.TensorType;
        if (type is null || type.ElemType != (int)TensorProto.Types.DataType.Float)
        {
            throw new ToolchainException($"{source}: the input '{info.Name}' is not a float32 tensor");
        }
        var dims = type.Shape?.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : -1).ToArray();
        if (dims is null)
        {
            return false;
        }
        if (dims.Length != 4 || dims[1] is not (3 or -1))
        {
            throw new ToolchainException(
                $"{source}: the input '{info.Name}' is [{string.Join(',', dims.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}], not an image batch [N,3,H,W]");
        }
        if ((dims[2] > 0 && dims[2] != height) || (dims[3] > 0 && dims[3] != width))
        {
            throw new ToolchainException(
                $"{source}: the input '{info.Name}' takes {dims[2]}×{dims[3]} images but the backbone config says {height}×{width}");
        }
        return dims[0] == 1;
    }

    private static TensorProto FoldConstant(NodeProto node, string source)
    {
        var value = node.Attribute.FirstOrDefault(a => a.Name == "value")?.T;
        if (value is null || node.Attribute.Count != 1)
        {
            throw new ToolchainException($"{source}: Constant node '{node.Name}' has no tensor 'value'; import folds tensor constants only");
        }
        var copy = value.Clone();
        copy.Name = node.Output[0];
        return copy;
    }

    /// <summary>A unique TorchSharp module name for a node: letters, digits and underscores (the parameter path separator is '.').</summary>
    private static string ModuleName(string nodeName, HashSet<string> taken)
    {
        var sb = new StringBuilder(nodeName.Length);
        foreach (var c in nodeName)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }
        var name = sb.ToString();
        for (int k = 2; !taken.Add(name); k++)
        {
            name = $"{sb}_{k}";
        }
        return name;
    }

    /// <summary>Runs one image in eval mode and records every output's shape; refuses sizes the graph cannot take and outputs that are not vectors.</summary>
    private void LearnShapes(string source, int height, int width)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        eval();
        try
        {
            using var probe = zeros(1, 3, height, width);
            Run(probe, InputName, 0, _ops.Count, (op, t) => _shapes[op.Output] = t.shape.Skip(1).ToArray());
        }
        catch (Exception e) when (e is ExternalException or ArgumentException or InvalidOperationException)
        {
            throw new ToolchainException(
                $"{source}: the backbone cannot run a {height}×{width} image ({e.Message.Split('\n')[0].Trim()}); the image size may be too small for it");
        }
        var shape = OutputShape;
        if (!(shape.Length == 1 || (shape.Length == 3 && shape[1] == 1 && shape[2] == 1)))
        {
            throw new ToolchainException(
                $"{source}: the output '{OutputName}' is [N,{string.Join(',', shape)}], not a feature vector ([N,C] or [N,C,1,1]); " +
                "name a pooled tensor as the output, or end the backbone with GlobalAveragePool");
        }
    }

    /// <summary>The default last stage (see the remarks).</summary>
    private string DefaultLastStage()
    {
        var spatial = _ops.Select(op => _shapes[op.Output] is { Length: 3 } s ? s[1] * s[2] : 0).ToArray();
        var resolutions = spatial.Where(s => s > 1).ToArray();
        if (resolutions.Length == 0)
        {
            return InputName;
        }
        var smallest = resolutions.Min();
        var first = Array.FindIndex(spatial, s => s == smallest);
        for (int p = first - 1; p >= 0; p--)
        {
            if (IsCut(p))
            {
                return _ops[p].Output;
            }
        }
        return InputName;
    }

    /// <summary>A cut named by the config: a tensor, or a node whose output it is; refused unless every later node depends on it alone.</summary>
    private string NamedCut(string name, string source)
    {
        var tensor = _producer.ContainsKey(name) ? name : _ops.FirstOrDefault(o => o.NodeName == name)?.Output
            ?? throw new ToolchainException($"{source}: the last_stage '{name}' is neither a tensor nor a node of the backbone");
        if (!IsCut(_producer[tensor]))
        {
            throw new ToolchainException(
                $"{source}: the last_stage '{name}' cannot split the backbone: later nodes also read tensors computed before it");
        }
        return tensor;
    }

    /// <summary>Whether the nodes after op <paramref name="p"/> read nothing computed at or before it but its output.</summary>
    private bool IsCut(int p)
    {
        for (int q = p + 1; q < _ops.Count; q++)
        {
            if (_ops[q].Inputs.Any(i => _producer[i] < p))
            {
                return false;
            }
        }
        return true;
    }
}
