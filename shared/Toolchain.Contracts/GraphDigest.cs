using System.Security.Cryptography;
using Google.Protobuf;

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
    /// <see cref="InvalidProtocolBufferException"/> when the bytes do not parse as a protobuf message.
    /// </summary>
    public static string? OfModel(byte[] modelBytes)
    {
        ArgumentNullException.ThrowIfNull(modelBytes);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var input = new CodedInputStream(modelBytes);
        var found = false;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == GraphField && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                // Protobuf merges a repeated message field into one, so ONNX Runtime would run a second graph appended to
                // the file; hashing every occurrence in order means such a file never matches a single recorded graph.
                hash.AppendData(input.ReadBytes().Span);
                found = true;
            }
            else
            {
                input.SkipLastField();
            }
        }
        return found ? Convert.ToHexStringLower(hash.GetHashAndReset()) : null;
    }
}
