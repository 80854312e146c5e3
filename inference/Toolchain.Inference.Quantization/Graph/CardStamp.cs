using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using Toolchain.Contracts;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Quantization.Graph;

/// <summary>
/// Gives a rewritten graph a card with a fresh integrity record, in the form the trainer's exporter writes: the
/// <see cref="GraphDigest"/> of the graph as serialised, and reference inputs with the outputs ONNX Runtime (CPU, one
/// thread) gives for them, as many as <see cref="ReferenceExamples.CountFor"/> allows.
/// </summary>
internal static class CardStamp
{
    /// <summary>
    /// The reference examples of <paramref name="model"/>: the first of <paramref name="inputs"/> (model-ready, back to
    /// back) with its <paramref name="card"/>'s main output for them.
    /// </summary>
    public static ReferenceExamples Reference(ModelProto model, ModelCard card, float[] inputs)
    {
        var dims = card.InputShape.Skip(1).ToArray();
        var width = dims.Aggregate(1L, (a, b) => a * b);
        var count = (int)Math.Min(ReferenceExamples.CountFor(width, card.ElementType), inputs.Length / width);
        var values = inputs.AsSpan(0, (int)(count * width)).ToArray();
        using var options = new SessionOptions { IntraOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(model.ToByteArray(), options);
        long[] shape = [count, .. dims];
        using var input = card.ElementType == ElementType.UInt8
            ? OrtValue.CreateTensorValueFromMemory(values.Select(v => (byte)Math.Clamp(MathF.Round(v), 0, 255)).ToArray(), shape)
            : OrtValue.CreateTensorValueFromMemory(values, shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [card.InputName], [input], [card.OutputName]);
        var outputs = results[0].GetTensorDataAsSpan<float>().ToArray();
        return new ReferenceExamples
        {
            OutputName = card.OutputName,
            // A uint8 graph's pixels and float32 outputs are recorded as float32, as the exporter records them.
            ElementType = ElementType.Float32,
            Count = count,
            Inputs = card.ElementType == ElementType.UInt8 ? values.Select(v => (double)Math.Clamp(MathF.Round(v), 0, 255)).ToArray() : values.Select(v => (double)v).ToArray(),
            Outputs = outputs.Select(v => (double)v).ToArray(),
        };
    }

    /// <summary>
    /// <paramref name="model"/>'s bytes with <paramref name="card"/> (whose digest must be that of the graph) in its
    /// metadata and doc string, and toolchain as its producer; proves that the digest is the one a loader computes.
    /// </summary>
    public static byte[] Serialize(ModelProto model, ModelCard card)
    {
        var stamped = model.Clone();
        stamped.ProducerName = "toolchain";
        stamped.ProducerVersion = ModelCard.CurrentVersion;
        stamped.DocString = card.Summary();
        stamped.MetadataProps.Clear();
        foreach (var (key, value) in card.ToMetadata().OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            stamped.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
        var bytes = stamped.ToByteArray();
        // Loaders recompute the digest over the graph's bytes as they lie in the file, not over a re-serialisation.
        if (card.GraphSha256 is { } digest && GraphDigest.OfModel(bytes) != digest)
        {
            throw new InvalidOperationException("the graph's bytes in the file differ from the ones digested");
        }
        return bytes;
    }

    /// <summary>The digest a card records for <paramref name="model"/>'s graph.</summary>
    public static string Digest(ModelProto model) => GraphDigest.Of(model.Graph.ToByteArray());
}
