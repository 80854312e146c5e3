using Toolchain.Trainer.Transfer.Graph.Ops;

namespace Toolchain.Trainer.Transfer.Graph;

/// <summary>The ONNX op types import supports, each parsed by its own <see cref="GraphOp"/> type.</summary>
internal static class OpKinds
{
    private static readonly Dictionary<string, Func<string, NodeContext, GraphOp>> Parsers = new(StringComparer.Ordinal)
    {
        ["Conv"] = ConvOp.Parse,
        ["BatchNormalization"] = BatchNormOp.Parse,
        ["Relu"] = ReluOp.Parse,
        ["Sigmoid"] = SigmoidOp.Parse,
        ["Clip"] = ClipOp.Parse,
        ["Add"] = AddOp.Parse,
        ["Mul"] = MulOp.Parse,
        ["MaxPool"] = MaxPoolOp.Parse,
        ["AveragePool"] = AveragePoolOp.Parse,
        ["GlobalAveragePool"] = GlobalAveragePoolOp.Parse,
        ["GlobalMaxPool"] = GlobalMaxPoolOp.Parse,
        ["Flatten"] = FlattenOp.Parse,
        ["Reshape"] = ReshapeOp.Parse,
        ["Gemm"] = GemmOp.Parse,
        ["Concat"] = ConcatOp.Parse,
        ["Identity"] = IdentityOp.Parse,
        ["Dropout"] = DropoutOp.Parse,
    };

    /// <summary>The supported op types, for messages.</summary>
    public static string Supported => string.Join(", ", Parsers.Keys.Append("Constant"));

    public static bool TryGet(string opType, out Func<string, NodeContext, GraphOp> parse) => Parsers.TryGetValue(opType, out parse!);
}
