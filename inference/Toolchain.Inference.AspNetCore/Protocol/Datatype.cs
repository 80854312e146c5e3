using Microsoft.ML.OnnxRuntime.Tensors;

namespace Toolchain.Inference.AspNetCore.Protocol;

/// <summary>The protocol's tensor data types ("FP32", "UINT8", ...) and ONNX Runtime's element types they stand for.</summary>
internal static class Datatype
{
    public const string Bytes = "BYTES";

    private static readonly (string Name, TensorElementType Type)[] Known =
    [
        ("BOOL", TensorElementType.Bool),
        ("UINT8", TensorElementType.UInt8),
        ("UINT16", TensorElementType.UInt16),
        ("UINT32", TensorElementType.UInt32),
        ("UINT64", TensorElementType.UInt64),
        ("INT8", TensorElementType.Int8),
        ("INT16", TensorElementType.Int16),
        ("INT32", TensorElementType.Int32),
        ("INT64", TensorElementType.Int64),
        ("FP16", TensorElementType.Float16),
        ("BF16", TensorElementType.BFloat16),
        ("FP32", TensorElementType.Float),
        ("FP64", TensorElementType.Double),
    ];

    /// <summary>The protocol's name of <paramref name="type"/>.</summary>
    public static string Of(TensorElementType type) =>
        Known.FirstOrDefault(k => k.Type == type).Name ?? throw new ArgumentOutOfRangeException(nameof(type), type, "no protocol data type");

    /// <summary>The element type named <paramref name="name"/>, or null for BYTES and unknown names.</summary>
    public static TensorElementType? Parse(string? name)
    {
        foreach (var (known, type) in Known)
        {
            if (string.Equals(known, name, StringComparison.Ordinal))
            {
                return type;
            }
        }
        return null;
    }

    /// <summary>Whether <paramref name="name"/> is a data type of the protocol (BYTES included).</summary>
    public static bool IsKnown(string? name) => name == Bytes || Parse(name) is not null;
}
