using Toolchain.Contracts;

namespace Toolchain.Inference.Runtime;

/// <summary>
/// Everything known about a loaded model: its contract (<see cref="Card"/>) and what the graph itself declares. The
/// contract's fields are read from the card, never copied, so the card stays the one source of truth.
/// </summary>
public sealed record ModelInfo
{
    /// <summary>
    /// The model's contract: the card read from its metadata, or for a foreign model (see <see cref="IsForeign"/>) one
    /// made from what the caller supplied (input shape, normalisation, labels) and the graph.
    /// </summary>
    public required ModelCard Card { get; init; }
    /// <summary>True when the file has no toolchain model card, so <see cref="Card"/> was made here, not read.</summary>
    public bool IsForeign { get; init; }
    /// <summary>The output read for predictions (probabilities when present, else logits or probability).</summary>
    public required string OutputName { get; init; }
    /// <summary>True when <see cref="OutputName"/> already holds probabilities (softmax or sigmoid applied).</summary>
    public required bool OutputIsProbability { get; init; }
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

    /// <summary>Input name (<see cref="ModelCard.InputName"/>).</summary>
    public string InputName => Card.InputName;
    /// <summary>Input shape with -1 for the batch axis (<see cref="ModelCard.InputShape"/>).</summary>
    public IReadOnlyList<long> InputShape => Card.InputShape;
    /// <summary>The input's element type (<see cref="ModelCard.ElementType"/>).</summary>
    public ElementType ElementType => Card.ElementType;
    /// <summary>What the model predicts (<see cref="ModelCard.Task"/>).</summary>
    public ModelTask Task => Card.Task;
    /// <summary>Class names, index = class id (<see cref="ModelCard.Labels"/>).</summary>
    public IReadOnlyList<string> Labels => Card.Labels;
    /// <summary>Normalisation mean (<see cref="ModelCard.Mean"/>).</summary>
    public double Mean => Card.Mean;
    /// <summary>Normalisation std (<see cref="ModelCard.Std"/>).</summary>
    public double Std => Card.Std;
    /// <summary>How inputs are prepared before normalisation (<see cref="ModelCard.PreprocessingMode"/>).</summary>
    public PreprocessingMode PreprocessingMode => Card.PreprocessingMode;
    /// <summary>Features per example (product of the non-batch input dims).</summary>
    public int FeatureCount => (int)InputShape.Skip(1).Aggregate(1L, (a, b) => a * b);
}
