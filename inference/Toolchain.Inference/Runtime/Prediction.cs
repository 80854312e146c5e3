namespace Toolchain.Inference.Runtime;

/// <summary>One classified example.</summary>
/// <param name="Label">Winning class id.</param>
/// <param name="LabelName">Winning class name.</param>
/// <param name="Confidence">Probability of the winning class.</param>
/// <param name="Probabilities">Probability of every class, index = class id (binary models: [1-p, p]).</param>
public sealed record Prediction(int Label, string LabelName, float Confidence, float[] Probabilities)
{
    /// <summary>The <paramref name="k"/> most probable classes, best first.</summary>
    public IReadOnlyList<(int Label, float Probability)> TopK(int k) =>
        Probabilities.Select((p, i) => (Label: i, Probability: p))
            .OrderByDescending(x => x.Probability).ThenBy(x => x.Label)
            .Take(Math.Max(0, k)).ToArray();
}
