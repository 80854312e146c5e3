using Microsoft.ML.OnnxRuntime.Tensors;

namespace Toolchain.Inference.Runtime;

/// <summary>
/// One input or output tensor of a graph as a tensor protocol describes it: its name, element type and shape, with -1
/// for the batch axis. Only tensors whose other axes are fixed are described, since only they split into rows.
/// </summary>
/// <param name="Name">The graph's name for it.</param>
/// <param name="ElementType">ONNX Runtime's element type.</param>
/// <param name="Shape">The shape, -1 first for the batch axis.</param>
internal sealed record TensorSpec(string Name, TensorElementType ElementType, IReadOnlyList<long> Shape)
{
    /// <summary>Values in one row (the product of the non-batch axes).</summary>
    public long RowElements => Shape.Skip(1).Aggregate(1L, (a, b) => a * b);

    /// <summary>Bytes of one element.</summary>
    public int ElementSize => SizeOf(ElementType);

    /// <summary>Bytes in one row.</summary>
    public long RowBytes => RowElements * ElementSize;

    /// <summary>Bytes of one element of <paramref name="type"/>, or 0 for a type without a fixed size (strings).</summary>
    public static int SizeOf(TensorElementType type) => type switch
    {
        TensorElementType.Bool or TensorElementType.UInt8 or TensorElementType.Int8 => 1,
        TensorElementType.UInt16 or TensorElementType.Int16 or TensorElementType.Float16 or TensorElementType.BFloat16 => 2,
        TensorElementType.UInt32 or TensorElementType.Int32 or TensorElementType.Float => 4,
        TensorElementType.UInt64 or TensorElementType.Int64 or TensorElementType.Double => 8,
        _ => 0,
    };

    /// <summary>
    /// The spec of a graph tensor, or null when it cannot be served row by row: not a tensor, a string tensor, no batch
    /// axis, or another axis that is not fixed.
    /// </summary>
    public static TensorSpec? Of(string name, Microsoft.ML.OnnxRuntime.NodeMetadata node)
    {
        if (!node.IsTensor || SizeOf(node.ElementDataType) == 0 || node.Dimensions.Length == 0 || node.Dimensions.Skip(1).Any(d => d <= 0))
        {
            return null;
        }
        return new TensorSpec(name, node.ElementDataType, [-1, .. node.Dimensions.Skip(1).Select(d => (long)d)]);
    }
}
