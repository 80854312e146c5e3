namespace Toolchain.Inference.Service.Endpoints;

/// <summary>The answer of POST /v1/classify (serialised in snake_case).</summary>
/// <param name="Label">The winning class's name.</param>
/// <param name="Confidence">Its probability.</param>
/// <param name="TopK">The most probable classes, best first.</param>
/// <param name="ModelVersion">The model that answered (SHA-256 prefix of its file).</param>
public sealed record ClassifyResponse(string Label, float Confidence, IReadOnlyList<LabelProbability> TopK, string ModelVersion);

/// <summary>One class and its probability.</summary>
/// <param name="Label">The class name.</param>
/// <param name="Probability">Its probability.</param>
public sealed record LabelProbability(string Label, float Probability);
