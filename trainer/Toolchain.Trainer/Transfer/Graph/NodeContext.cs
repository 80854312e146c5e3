using System.Runtime.InteropServices;
using Onnx;
using Toolchain.Contracts;
using static TorchSharp.torch;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Toolchain.Trainer.Transfer.Graph;

/// <summary>
/// One ONNX node as an op type parses it: its attributes (read for the source file's opset), which inputs are
/// constants (initializers or folded Constant nodes) and one-line refusals naming the node.
/// </summary>
internal sealed class NodeContext
{
    private readonly IReadOnlyDictionary<string, TensorProto> _constants;

    public NodeContext(NodeProto node, int opset, IReadOnlyDictionary<string, TensorProto> constants, bool fixedBatch)
    {
        Node = node;
        Opset = opset;
        _constants = constants;
        FixedBatch = fixedBatch;
    }

    /// <summary>The node.</summary>
    public NodeProto Node { get; }

    /// <summary>The default domain's opset of the file the node comes from: attributes are read as that version defines them.</summary>
    public int Opset { get; }

    /// <summary>Whether the source graph's input had a fixed batch of 1 (so a Reshape to [1, …] means "the batch").</summary>
    public bool FixedBatch { get; }

    /// <summary>How messages name the node: <c>node 'Convolution249' (Conv)</c>.</summary>
    public string Describe => $"node '{Node.Name}' ({Node.OpType})";

    /// <summary>A refusal naming the node.</summary>
    public ToolchainException Refuse(string problem) => new($"backbone: {Describe} {problem}");

    /// <summary>Refuses any attribute not in <paramref name="known"/>: an attribute we do not read could change what the node computes.</summary>
    public void OnlyAttributes(params string[] known)
    {
        foreach (var a in Node.Attribute)
        {
            if (!known.Contains(a.Name))
            {
                throw Refuse($"has the attribute '{a.Name}', which import does not support");
            }
        }
    }

    public AttributeProto? Attribute(string name) => Node.Attribute.FirstOrDefault(a => a.Name == name);

    public long Int(string name, long fallback) => Attribute(name) is { } a ? a.I : fallback;

    public float Float(string name, float fallback) => Attribute(name) is { } a ? a.F : fallback;

    public string String(string name, string fallback) => Attribute(name) is { } a ? a.S.ToStringUtf8() : fallback;

    public long[]? Ints(string name) => Attribute(name) is { } a ? a.Ints.ToArray() : null;

    /// <summary>The node's input <paramref name="i"/>, or null when absent (past the end or the empty name ONNX uses for "omitted").</summary>
    public string? Input(int i) => i < Node.Input.Count && Node.Input[i].Length > 0 ? Node.Input[i] : null;

    public bool IsConstant(int i) => Input(i) is { } name && _constants.ContainsKey(name);

    /// <summary>Input <paramref name="i"/> as a float32 tensor; refuses when it is not a constant.</summary>
    public Tensor FloatConstant(int i, string role)
    {
        var proto = RequiredConstant(i, role);
        return ToTensor(proto, Describe);
    }

    /// <summary>Input <paramref name="i"/> as int64 values; refuses when it is not an integer constant.</summary>
    public long[] IntConstant(int i, string role)
    {
        var proto = RequiredConstant(i, role);
        return (DataType)proto.DataType switch
        {
            DataType.Int64 => proto.RawData.Length > 0 ? MemoryMarshal.Cast<byte, long>(proto.RawData.Span).ToArray() : proto.Int64Data.ToArray(),
            DataType.Int32 => proto.RawData.Length > 0
                ? MemoryMarshal.Cast<byte, int>(proto.RawData.Span).ToArray().Select(v => (long)v).ToArray()
                : proto.Int32Data.Select(v => (long)v).ToArray(),
            var t => throw Refuse($"has a {role} of element type {t}; int64 is needed"),
        };
    }

    /// <summary>The initializer name behind input <paramref name="i"/>.</summary>
    public string ConstantName(int i, string role) => RequiredConstant(i, role).Name is { Length: > 0 } n ? n : Input(i)!;

    private TensorProto RequiredConstant(int i, string role)
    {
        if (Input(i) is not { } name)
        {
            throw Refuse($"has no {role}");
        }
        return _constants.TryGetValue(name, out var proto)
            ? proto
            : throw Refuse($"takes its {role} from '{name}', which is computed; import needs it to be an initializer");
    }

    /// <summary>A float32 initializer as a tensor; refuses other element types and external data in one line.</summary>
    public static Tensor ToTensor(TensorProto proto, string owner)
    {
        if (proto.DataLocation == TensorProto.Types.DataLocation.External)
        {
            throw new ToolchainException($"backbone: {owner} keeps its weights '{proto.Name}' in an external data file, which import does not read");
        }
        if ((DataType)proto.DataType != DataType.Float)
        {
            throw new ToolchainException(
                $"backbone: {owner} has weights '{proto.Name}' of element type {(DataType)proto.DataType}; import takes float32 backbones");
        }
        var values = proto.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(proto.RawData.Span).ToArray() : proto.FloatData.ToArray();
        long count = proto.Dims.Aggregate(1L, (a, b) => a * b);
        if (values.Length != count)
        {
            throw new ToolchainException(
                $"backbone: {owner} has weights '{proto.Name}' with {values.Length} values for the shape [{string.Join(',', proto.Dims)}]; the file is corrupt");
        }
        return tensor(values, proto.Dims.ToArray(), ScalarType.Float32);
    }
}
