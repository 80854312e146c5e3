using System.Security.Cryptography;

namespace Toolchain.Contracts;

/// <summary>
/// The SHA-256 of an ONNX model's graph (nodes, attributes, initializers, inputs and outputs), recorded in the model
/// card at export and recomputed at load. It covers the GraphProto's bytes exactly as they lie in the file: the card
/// lives in the ModelProto's <c>metadata_props</c>, outside the graph, so it can carry the digest without changing it,
/// and a flipped bit anywhere in the graph, weights included, changes it.
/// </summary>
public static class GraphDigest
{
    /// <summary>Field number of <c>graph</c> in ONNX's ModelProto.</summary>
    private const int GraphField = 7;

    /// <summary>The digest of a serialised GraphProto, as lower-case hex.</summary>
    public static string Of(ReadOnlySpan<byte> graphBytes) => Convert.ToHexStringLower(SHA256.HashData(graphBytes));

    /// <summary>
    /// The digest of the graph in a serialised ModelProto, or null when it holds no graph. Throws
    /// <see cref="FormatException"/> when the bytes are not a protobuf message.
    /// </summary>
    public static string? OfModel(byte[] modelBytes)
    {
        ArgumentNullException.ThrowIfNull(modelBytes);
        // The protobuf wire format read by hand (varint tags, four wire types), so the contracts need no package: only
        // the graph field's place in the bytes matters here, not its contents.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        ReadOnlySpan<byte> rest = modelBytes;
        var found = false;
        while (!rest.IsEmpty)
        {
            var tag = ReadVarint(ref rest);
            var (field, wireType) = (tag >> 3, (int)(tag & 7));
            switch (wireType)
            {
                case 0:
                    ReadVarint(ref rest);
                    break;
                case 1:
                    Skip(ref rest, 8);
                    break;
                case 5:
                    Skip(ref rest, 4);
                    break;
                case 2:
                    var length = ReadVarint(ref rest);
                    if (length > (ulong)rest.Length)
                    {
                        throw new FormatException("a length-delimited field runs past the end of the message");
                    }
                    if (field == GraphField)
                    {
                        // Protobuf merges a repeated message field into one, so ONNX Runtime would run a second graph
                        // appended to the file; hashing every occurrence in order means such a file never matches a
                        // single recorded graph.
                        hash.AppendData(rest[..(int)length]);
                        found = true;
                    }
                    rest = rest[(int)length..];
                    break;
                default:
                    throw new FormatException($"wire type {wireType} is not one a ModelProto uses");
            }
            if (field == 0)
            {
                throw new FormatException("a field number of 0 is not valid protobuf");
            }
        }
        return found ? Convert.ToHexStringLower(hash.GetHashAndReset()) : null;
    }

    private static ulong ReadVarint(ref ReadOnlySpan<byte> bytes)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (bytes.IsEmpty)
            {
                throw new FormatException("a varint runs past the end of the message");
            }
            var b = bytes[0];
            bytes = bytes[1..];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
        throw new FormatException("a varint is longer than 10 bytes");
    }

    private static void Skip(ref ReadOnlySpan<byte> bytes, int count)
    {
        if (bytes.Length < count)
        {
            throw new FormatException("a fixed-width field runs past the end of the message");
        }
        bytes = bytes[count..];
    }
}
