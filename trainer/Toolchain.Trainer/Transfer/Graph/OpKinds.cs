using Toolchain.Trainer.Transfer.Graph.Ops;

namespace Toolchain.Trainer.Transfer.Graph;

/// <summary>
/// The ONNX op types import supports, each parsed by its own <see cref="GraphOp"/> type, for source opsets 7 to 21,
/// and emitted at opset 17. What changed between those versions, and how each type deals with it:
/// <list type="bullet">
/// <item>BatchNormalization: <c>spatial</c> (7–8) is gone from 9 on with spatial = 1's meaning (0 refused);
/// <c>training_mode</c> (14+) must be 0; opsets before 7 (<c>is_test</c>, <c>consumed_inputs</c>) are refused.</item>
/// <item>MaxPool: <c>ceil_mode</c> and <c>dilations</c> arrive at 10 (absent = off, 1); <c>storage_order</c> only
/// shapes the indices output, which nothing may read. AveragePool: <c>ceil_mode</c> at 10, <c>dilations</c> at 19
/// (refused unless 1: opset 17 has none); <c>count_include_pad</c> defaults to 0 throughout.</item>
/// <item>Clip: bounds are attributes up to 10 and constant inputs from 11. Dropout: <c>ratio</c> is an attribute up
/// to 11 and an input from 12; it is emitted as Identity. Reshape: <c>allowzero</c> (14+) must be off.</item>
/// <item>Conv, Gemm (C optional from 11), Flatten, Concat, Relu, Sigmoid, Add, Mul, Identity, the global pools:
/// later versions widen types or allow negative axes, with the same meaning for float32.</item>
/// </list>
/// Attributes a type does not know are refused, so a version's new attribute cannot pass unread.
/// </summary>
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
