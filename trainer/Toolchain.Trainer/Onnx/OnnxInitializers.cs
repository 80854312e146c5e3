using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using Toolchain.Contracts;
using TorchSharp;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Onnx;

/// <summary>Turns TorchSharp tensors and plain arrays into ONNX initializers of the graph's element type.</summary>
internal static class OnnxInitializers
{
    /// <summary>Copies <paramref name="tensor"/> (any device) into an initializer of <paramref name="type"/>.</summary>
    public static TensorProto FromTensor(string name, Tensor tensor, OnnxElementType type)
    {
        using var scope = NewDisposeScope();
        var cpu = tensor.detach().cpu().to_type(type.TorchType).contiguous();
        var proto = new TensorProto { Name = name, DataType = (int)type.ProtoType };
        proto.Dims.AddRange(cpu.shape);
        proto.RawData = type.IsDouble
            ? ByteString.CopyFrom(MemoryMarshal.AsBytes(cpu.data<double>().ToArray().AsSpan()))
            : ByteString.CopyFrom(MemoryMarshal.AsBytes(cpu.data<float>().ToArray().AsSpan()));
        return proto;
    }

    /// <summary>An initializer from values computed in double and stored as <paramref name="type"/>.</summary>
    public static TensorProto FromValues(string name, double[] values, long[] dims, OnnxElementType type)
    {
        var proto = new TensorProto { Name = name, DataType = (int)type.ProtoType };
        proto.Dims.AddRange(dims);
        proto.RawData = type.IsDouble
            ? ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()))
            : ByteString.CopyFrom(MemoryMarshal.AsBytes(values.Select(v => (float)v).ToArray().AsSpan()));
        return proto;
    }
}

/// <summary>The one element type of an exported graph: float32 or float64, in its torch and ONNX spellings.</summary>
internal sealed record OnnxElementType(ScalarType TorchType, TensorProto.Types.DataType ProtoType, ElementType Contract)
{
    public static readonly OnnxElementType Float32 = new(ScalarType.Float32, TensorProto.Types.DataType.Float, ElementType.Float32);
    public static readonly OnnxElementType Float64 = new(ScalarType.Float64, TensorProto.Types.DataType.Double, ElementType.Float64);

    public bool IsDouble => ProtoType == TensorProto.Types.DataType.Double;

    /// <summary>Largest ORT-vs-TorchSharp difference the export accepts for this type.</summary>
    public double Tolerance => IsDouble ? 1e-12 : 1e-5;

    public static OnnxElementType? For(ScalarType t) => t switch
    {
        ScalarType.Float32 => Float32,
        ScalarType.Float64 => Float64,
        _ => null,
    };
}
