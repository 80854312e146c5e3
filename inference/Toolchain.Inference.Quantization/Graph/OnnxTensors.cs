using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Toolchain.Inference.Quantization.Graph;

/// <summary>Reads and writes the values of ONNX initializers (raw little-endian bytes or the typed repeated fields).</summary>
internal static class OnnxTensors
{
    /// <summary>Whether <paramref name="tensor"/> holds float32 values.</summary>
    public static bool IsFloat(TensorProto tensor) => tensor.DataType == (int)DataType.Float;

    /// <summary>Elements of a tensor of <paramref name="dims"/> (1 for a scalar).</summary>
    public static long ElementCount(IEnumerable<long> dims) => dims.Aggregate(1L, (a, b) => a * b);

    /// <summary>The float32 values of <paramref name="tensor"/>, in row-major order.</summary>
    public static float[] Floats(TensorProto tensor)
    {
        if (!IsFloat(tensor))
        {
            throw new InvalidOperationException($"initializer '{tensor.Name}' is not float32");
        }
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            throw new Contracts.ToolchainException($"initializer '{tensor.Name}' is stored in an external file; only self-contained models are quantized");
        }
        if (!tensor.RawData.IsEmpty)
        {
            return MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray();
        }
        return [.. tensor.FloatData];
    }

    /// <summary>A float32 initializer.</summary>
    public static TensorProto Float(string name, long[] dims, ReadOnlySpan<float> values) =>
        Raw(name, DataType.Float, dims, MemoryMarshal.AsBytes(values));

    /// <summary>A signed 8-bit initializer.</summary>
    public static TensorProto Int8(string name, long[] dims, ReadOnlySpan<sbyte> values) =>
        Raw(name, DataType.Int8, dims, MemoryMarshal.AsBytes(values));

    /// <summary>An unsigned 8-bit initializer.</summary>
    public static TensorProto UInt8(string name, long[] dims, ReadOnlySpan<byte> values) =>
        Raw(name, DataType.Uint8, dims, values);

    /// <summary>The zero point of <paramref name="parameters"/> as a scalar initializer of its type.</summary>
    public static TensorProto ZeroPoint(string name, Qdq.QuantParams parameters) => parameters.Unsigned
        ? UInt8(name, [], [(byte)parameters.ZeroPoint])
        : Int8(name, [], [(sbyte)parameters.ZeroPoint]);

    /// <summary>A 32-bit integer initializer.</summary>
    public static TensorProto Int32(string name, long[] dims, ReadOnlySpan<int> values) =>
        Raw(name, DataType.Int32, dims, MemoryMarshal.AsBytes(values));

    /// <summary>A float16 initializer from float32 values, rounded to nearest.</summary>
    public static TensorProto Float16(string name, long[] dims, ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(i * 2), (Half)values[i]);
        }
        return Raw(name, DataType.Float16, dims, bytes);
    }

    private static TensorProto Raw(string name, DataType type, long[] dims, ReadOnlySpan<byte> bytes)
    {
        // The raw bytes are little-endian, as ONNX requires; every platform .NET runs ONNX Runtime on is.
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }
}
