namespace Toolchain.Inference.Runtime;

/// <summary>One classified example.</summary>
/// <remarks>
/// Not a positional record: a field added later is one more init property, and callers that construct or read it by
/// name keep compiling (a positional record's constructor and <c>Deconstruct</c> would change shape).
/// </remarks>
public sealed record Prediction
{
    /// <summary>Winning class id.</summary>
    public required int Label { get; init; }

    /// <summary>Winning class name.</summary>
    public required string LabelName { get; init; }

    /// <summary>Probability of the winning class.</summary>
    public required float Confidence { get; init; }

    /// <summary>Probability of every class, index = class id (binary models: [1-p, p]).</summary>
    public required float[] Probabilities { get; init; }

    /// <summary>The <paramref name="k"/> most probable classes, best first.</summary>
    public IReadOnlyList<(int Label, float Probability)> TopK(int k) =>
        Probabilities.Select((p, i) => (Label: i, Probability: p))
            .OrderByDescending(x => x.Probability).ThenBy(x => x.Label)
            .Take(Math.Max(0, k)).ToArray();
}
