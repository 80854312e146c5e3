using Toolchain.Contracts;

namespace Toolchain.Inference.Runtime;

/// <summary>Everything known about a loaded model: its card (when it has one) and what the graph itself declares.</summary>
public sealed record ModelInfo
{
    /// <summary>The model card read from metadata, or null for a foreign model.</summary>
    public ModelCard? Card { get; init; }
    /// <summary>Input name.</summary>
    public required string InputName { get; init; }
    /// <summary>Input shape with -1 for the batch axis.</summary>
    public required IReadOnlyList<long> InputShape { get; init; }
    /// <summary>The input's element type.</summary>
    public required ElementType ElementType { get; init; }
    /// <summary>The output read for predictions (probabilities when present, else logits or probability).</summary>
    public required string OutputName { get; init; }
    /// <summary>True when <see cref="OutputName"/> already holds probabilities (softmax or sigmoid applied).</summary>
    public required bool OutputIsProbability { get; init; }
    /// <summary>What the model predicts.</summary>
    public required ModelTask Task { get; init; }
    /// <summary>Class names, index = class id.</summary>
    public required IReadOnlyList<string> Labels { get; init; }
    /// <summary>Normalisation mean.</summary>
    public required double Mean { get; init; }
    /// <summary>Normalisation std.</summary>
    public required double Std { get; init; }
    /// <summary>How inputs are prepared before normalisation.</summary>
    public required PreprocessingMode PreprocessingMode { get; init; }
    /// <summary>Opset of the default ONNX domain.</summary>
    public long Opset { get; init; }
    /// <summary>Producer name and version from the file.</summary>
    public string Producer { get; init; } = "";
    /// <summary>The graph's doc string.</summary>
    public string Description { get; init; } = "";
    /// <summary>All inputs as "name: type shape".</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];
    /// <summary>All outputs as "name: type shape".</summary>
    public IReadOnlyList<string> Outputs { get; init; } = [];
    /// <summary>
    /// What the integrity check found: <see cref="IntegrityStatus.NotRecorded"/> for models whose card records nothing
    /// to check (and foreign models), <see cref="IntegrityStatus.NotChecked"/> when verification was off.
    /// </summary>
    public IntegrityReport Integrity { get; init; } = IntegrityReport.NotRecorded;
    /// <summary>Features per example (product of the non-batch input dims).</summary>
    public int FeatureCount => (int)InputShape.Skip(1).Aggregate(1L, (a, b) => a * b);
}
