using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Hosting;

/// <summary>
/// The raw outputs of one tensor request (<see cref="OnnxClassifier.InferAsync"/>): its own rows of every output, and
/// the model that made them.
/// </summary>
public sealed record TensorResult
{
    /// <summary>The model that answered: the leased one.</summary>
    public required ModelVersion Version { get; init; }

    /// <summary>What each output holds, as <see cref="Specs"/> describes it: row after row, little-endian.</summary>
    public required IReadOnlyList<byte[]> Outputs { get; init; }

    /// <summary>The outputs, in the graph's order (<see cref="OnnxModel.OutputSpecs"/>).</summary>
    public required IReadOnlyList<TensorSpec> Specs { get; init; }

    /// <summary>That model's class names, index = class id.</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>Rows of the request (the batch axis of every output).</summary>
    public required int Rows { get; init; }
}
