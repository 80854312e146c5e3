using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Toolchain.Inference.AspNetCore.Protocol;

/// <summary>
/// Tensor elements as the protocol carries them, little-endian and row-major: written back as JSON and read one by one
/// for classification (<see cref="JsonTensorData"/> reads them from JSON).
/// </summary>
internal static class TensorBytes
{
    /// <summary>Writes the elements of <paramref name="raw"/> as a flat JSON array of <paramref name="type"/>.</summary>
    public static void WriteJson(Utf8JsonWriter writer, ReadOnlySpan<byte> raw, TensorElementType type)
    {
        writer.WriteStartArray();
        switch (type)
        {
            case TensorElementType.Float:
                foreach (var v in MemoryMarshal.Cast<byte, float>(raw))
                {
                    WriteFloat(writer, v);
                }
                break;
            case TensorElementType.Double:
                foreach (var v in MemoryMarshal.Cast<byte, double>(raw))
                {
                    WriteDouble(writer, v);
                }
                break;
            case TensorElementType.Bool:
                foreach (var v in raw)
                {
                    writer.WriteBooleanValue(v != 0);
                }
                break;
            case TensorElementType.UInt8:
                foreach (var v in raw)
                {
                    writer.WriteNumberValue(v);
                }
                break;
            case TensorElementType.Int8:
                foreach (var v in MemoryMarshal.Cast<byte, sbyte>(raw))
                {
                    writer.WriteNumberValue(v);
                }
                break;
            case TensorElementType.UInt16:
                foreach (var v in MemoryMarshal.Cast<byte, ushort>(raw))
                {
                    writer.WriteNumberValue(v);
                }
                break;
            case TensorElementType.Int16:
                foreach (var v in MemoryMarshal.Cast<byte, short>(raw))
                {
                    writer.WriteNumberValue(v);
                }
                break;
            case TensorElementType.UInt32:
                foreach (var v in MemoryMarshal.Cast<byte, uint>(raw))
                {
                    writer.WriteNumberValue(v);
                }
                break;
            case TensorElementType.Int32:
                foreach (var v in MemoryMarshal.Cast<byte, int>(raw))
                {
                    writer.WriteNumberValue(v);
                }
                break;
            case TensorElementType.UInt64:
                foreach (var v in MemoryMarshal.Cast<byte, ulong>(raw))
                {
                    writer.WriteNumberValue(v);
                }
                break;
            case TensorElementType.Int64:
                foreach (var v in MemoryMarshal.Cast<byte, long>(raw))
                {
                    writer.WriteNumberValue(v);
                }
                break;
            default:
                throw new ProtocolException(StatusCodes.Status500InternalServerError, $"output data type {type} cannot be written as JSON");
        }
        writer.WriteEndArray();
    }

    // JSON has no NaN or infinity; a model that produces them answers null there rather than an unparsable body.
    private static void WriteFloat(Utf8JsonWriter writer, float v)
    {
        if (float.IsFinite(v))
        {
            writer.WriteNumberValue(v);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    private static void WriteDouble(Utf8JsonWriter writer, double v)
    {
        if (double.IsFinite(v))
        {
            writer.WriteNumberValue(v);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    /// <summary>Element <paramref name="index"/> of <paramref name="raw"/> as a double, for ranking classes.</summary>
    public static double ValueAt(ReadOnlySpan<byte> raw, TensorElementType type, int index) => type switch
    {
        TensorElementType.Float => BinaryPrimitives.ReadSingleLittleEndian(raw[(index * 4)..]),
        TensorElementType.Double => BinaryPrimitives.ReadDoubleLittleEndian(raw[(index * 8)..]),
        TensorElementType.Bool or TensorElementType.UInt8 => raw[index],
        TensorElementType.Int8 => (sbyte)raw[index],
        TensorElementType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(raw[(index * 2)..]),
        TensorElementType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(raw[(index * 2)..]),
        TensorElementType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(raw[(index * 4)..]),
        TensorElementType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(raw[(index * 4)..]),
        TensorElementType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(raw[(index * 8)..]),
        TensorElementType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(raw[(index * 8)..]),
        _ => double.NaN,
    };

    /// <summary>An element as the classification extension writes it: the shortest text that reads back to the same value.</summary>
    public static string FormatValue(ReadOnlySpan<byte> raw, TensorElementType type, int index) => type switch
    {
        TensorElementType.Float => BinaryPrimitives.ReadSingleLittleEndian(raw[(index * 4)..]).ToString(CultureInfo.InvariantCulture),
        _ => ValueAt(raw, type, index).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The index of the first non-finite element of a float tensor, or -1 (always -1 for other types).</summary>
    public static long FirstNonFinite(ReadOnlySpan<byte> raw, TensorElementType type)
    {
        if (type == TensorElementType.Float)
        {
            var values = MemoryMarshal.Cast<byte, float>(raw);
            for (var i = 0; i < values.Length; i++)
            {
                if (!float.IsFinite(values[i]))
                {
                    return i;
                }
            }
        }
        else if (type == TensorElementType.Double)
        {
            var values = MemoryMarshal.Cast<byte, double>(raw);
            for (var i = 0; i < values.Length; i++)
            {
                if (!double.IsFinite(values[i]))
                {
                    return i;
                }
            }
        }
        return -1;
    }

    /// <summary>BYTES elements in binary form: each a 4-byte little-endian length, then its UTF-8 bytes.</summary>
    public static byte[] EncodeStrings(string[] strings)
    {
        var encoded = strings.Select(Encoding.UTF8.GetBytes).ToArray();
        var result = new byte[encoded.Sum(e => 4 + e.Length)];
        var offset = 0;
        foreach (var e in encoded)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(offset), (uint)e.Length);
            e.CopyTo(result, offset + 4);
            offset += 4 + e.Length;
        }
        return result;
    }
}
