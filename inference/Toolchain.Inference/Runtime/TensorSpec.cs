using Microsoft.ML.OnnxRuntime.Tensors;

namespace Toolchain.Inference.Runtime;

/// <summary>
/// One input or output tensor of a graph as a tensor protocol describes it: its name, element type and shape, with -1
/// for the batch axis. Only tensors whose other axes are fixed are described, since only they split into rows.
/// </summary>
/// <remarks>
/// The element type is ONNX Runtime's own <see cref="TensorElementType"/>: it names every type a graph can hold, and
/// the library's package depends on ONNX Runtime's managed API anyway.
/// </remarks>
public sealed record TensorSpec
{
    /// <summary>The graph's name for it.</summary>
    public required string Name { get; init; }

    /// <summary>The element type.</summary>
    public required TensorElementType ElementType { get; init; }

    /// <summary>The shape, -1 first for the batch axis.</summary>
    public required IReadOnlyList<long> Shape { get; init; }

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
    internal static TensorSpec? Of(string name, Microsoft.ML.OnnxRuntime.NodeMetadata node)
    {
        if (!node.IsTensor || SizeOf(node.ElementDataType) == 0 || node.Dimensions.Length == 0 || node.Dimensions.Skip(1).Any(d => d <= 0))
        {
            return null;
        }
        return new TensorSpec { Name = name, ElementType = node.ElementDataType, Shape = [-1, .. node.Dimensions.Skip(1).Select(d => (long)d)] };
    }
}
