namespace Toolchain.Contracts;

/// <summary>
/// The pretrained backbone a transfer-learned model is built on, as its card records it (<see cref="ModelCard.Backbone"/>):
/// where the weights came from and under which licence, which file exactly, how much of it was trained, the head on
/// top and how images are brought to its input size before the graph.
/// </summary>
public sealed record BackboneRecord
{
    /// <summary>The backbone's short name, e.g. <c>resnet18</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Lower-case hex SHA-256 of the backbone file the model was built from.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Where the weights came from (package, URL, paper).</summary>
    public required string Source { get; init; }

    /// <summary>The weights' licence, e.g. <c>MIT</c>.</summary>
    public required string Licence { get; init; }

    /// <summary>How much of the backbone was trained: <c>frozen</c>, <c>last stage from TENSOR</c>, or <c>all</c>.</summary>
    public required string Tuning { get; init; }

    /// <summary>
    /// What the head reads from the backbone, e.g. <c>Pooling395_Output_0 (512) + mean of Relu343 (256)</c>; empty
    /// for the output alone (and in cards written before the choice existed).
    /// </summary>
    public string Features { get; init; } = "";

    /// <summary>The head's architecture spec, canonical.</summary>
    public string Head { get; init; } = "";

    /// <summary>How an image is brought to the input size before the graph, e.g. <c>shorter side to 224, centre crop 224×224</c>.</summary>
    public string Resize { get; init; } = "";
}
