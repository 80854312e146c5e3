using Google.Protobuf;
using Onnx;
using Toolchain.Contracts;

namespace Toolchain.OnnxFiles;

/// <summary>
/// Writes a Toolchain ONNX file: a ModelProto whose <c>metadata_props</c> hold the model card (keys in ordinal order),
/// whose doc string is the card's one-line summary, and whose producer is <see cref="ProducerName"/> at
/// <see cref="ModelCard.CurrentVersion"/>. The card lives outside the graph, so the graph digest it records
/// (<see cref="GraphDigest"/>) is the digest of the graph's bytes as they lie in the file, which is what a loader
/// recomputes.
/// </summary>
public static class ModelFile
{
    /// <summary>The producer name every Toolchain file carries.</summary>
    public const string ProducerName = "toolchain";

    /// <summary>A model of <paramref name="graph"/> at ONNX IR <paramref name="irVersion"/> and default-domain <paramref name="opset"/>, without a card.</summary>
    public static ModelProto New(GraphProto graph, long irVersion, long opset)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var model = new ModelProto { IrVersion = irVersion, ProducerName = ProducerName, ProducerVersion = ModelCard.CurrentVersion, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model;
    }

    /// <summary>The digest a card records for <paramref name="graph"/> (<see cref="ModelCard.GraphSha256"/>).</summary>
    public static string Digest(GraphProto graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return GraphDigest.Of(graph.ToByteArray());
    }

    /// <summary>
    /// Puts <paramref name="card"/> into <paramref name="model"/>, replacing any card, doc string and producer it had.
    /// The graph is not touched, so its digest stays what it was.
    /// </summary>
    public static void SetCard(ModelProto model, ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(card);
        model.ProducerName = ProducerName;
        model.ProducerVersion = ModelCard.CurrentVersion;
        model.DocString = card.Summary();
        model.MetadataProps.Clear();
        foreach (var (key, value) in card.ToMetadata().OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }
    }

    /// <summary>
    /// The file's bytes: <paramref name="model"/> with <paramref name="card"/> set (<see cref="SetCard"/>). When the card
    /// records a graph digest, proves that a loader reading these bytes computes the same one, and throws
    /// <see cref="InvalidOperationException"/> otherwise.
    /// </summary>
    public static byte[] Serialize(ModelProto model, ModelCard card)
    {
        SetCard(model, card);
        var bytes = model.ToByteArray();
        // Loaders recompute the digest over the graph's bytes as they lie in the file, not over a re-serialisation.
        if (card.GraphSha256 is { } digest && GraphDigest.OfModel(bytes) != digest)
        {
            throw new InvalidOperationException("the graph's bytes in the file differ from the ones digested");
        }
        return bytes;
    }
}
