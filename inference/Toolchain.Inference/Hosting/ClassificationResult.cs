using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Hosting;

/// <summary>A prediction and the version of the model that made it.</summary>
/// <param name="Prediction">The prediction.</param>
/// <param name="Version">The model that answered (during a reload, requests already running answer with the old one).</param>
public sealed record ClassificationResult(Prediction Prediction, ModelVersion Version);
