using Google.Protobuf;
using Onnx;

namespace Toolchain.TestSupport;

/// <summary>Damages ONNX files the way storage and transfer do: single bits flipped inside a weight tensor.</summary>
public static class ModelCorruption
{
    /// <summary>
    /// Flips bit <paramref name="bit"/> (0 = the lowest bit of the first byte) of initializer
    /// <paramref name="initializer"/>'s <c>raw_data</c> in the file at <paramref name="path"/>, leaving everything else,
    /// the model card included, as it was. Flipping the same bit again restores the file.
    /// </summary>
    public static void FlipInitializerBit(string path, string initializer, long bit)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var tensor = model.Graph.Initializer.SingleOrDefault(t => t.Name == initializer)
            ?? throw new ArgumentException($"{path} has no initializer '{initializer}'", nameof(initializer));
        if (tensor.RawData.IsEmpty)
        {
            throw new ArgumentException($"initializer '{initializer}' keeps its values in typed fields, not raw_data", nameof(initializer));
        }
        var bytes = tensor.RawData.ToByteArray();
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(bit, bytes.Length * 8L);
        bytes[bit / 8] ^= (byte)(1 << (int)(bit % 8));
        tensor.RawData = ByteString.CopyFrom(bytes);
        File.WriteAllBytes(path, model.ToByteArray());
    }

    /// <summary>Names of the initializers of the model at <paramref name="path"/> that keep their values in <c>raw_data</c>.</summary>
    public static IReadOnlyList<string> RawInitializers(string path) =>
        ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph.Initializer
            .Where(t => !t.RawData.IsEmpty)
            .Select(t => t.Name)
            .ToList();
}
