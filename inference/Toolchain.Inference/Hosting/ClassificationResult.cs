using System.Globalization;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Hosting;

/// <summary>A prediction, the version of the model that made it, and that model's class names.</summary>
/// <param name="Prediction">The prediction.</param>
/// <param name="Version">The model that answered (during a reload, requests already running answer with the old one).</param>
/// <param name="Labels">Class names of that model, index = class id.</param>
public sealed record ClassificationResult(Prediction Prediction, ModelVersion Version, IReadOnlyList<string> Labels)
{
    /// <summary>The <paramref name="k"/> most probable classes by name, best first.</summary>
    public IReadOnlyList<(string Label, float Probability)> TopK(int k) =>
        Prediction.TopK(k).Select(t => (Name(t.Label), t.Probability)).ToArray();

    private string Name(int label) => label < Labels.Count ? Labels[label] : label.ToString(CultureInfo.InvariantCulture);
}
