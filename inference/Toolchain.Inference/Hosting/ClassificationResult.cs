using System.Globalization;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Hosting;

/// <summary>A prediction, the version of the model that made it, and that model's class names.</summary>
public sealed record ClassificationResult
{
    /// <summary>The prediction.</summary>
    public required Prediction Prediction { get; init; }

    /// <summary>The model that answered (during a reload, requests already running answer with the old one).</summary>
    public required ModelVersion Version { get; init; }

    /// <summary>Class names of that model, index = class id.</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>The <paramref name="k"/> most probable classes by name, best first.</summary>
    public IReadOnlyList<(string Label, float Probability)> TopK(int k) =>
        Prediction.TopK(k).Select(t => (Name(t.Label), t.Probability)).ToArray();

    private string Name(int label) => label < Labels.Count ? Labels[label] : label.ToString(CultureInfo.InvariantCulture);
}
