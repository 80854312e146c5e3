namespace Toolchain.Inference.AspNetCore;

/// <summary>What the Open Inference Protocol endpoints serve (<see cref="OpenInference.AddOpenInference"/>).</summary>
public sealed class OpenInferenceOptions
{
    /// <summary>
    /// The models served, by the name clients use (<c>/v2/models/{name}</c>), each mapped to the name its
    /// <see cref="Hosting.OnnxClassifier"/> was registered under with AddOnnxClassifier (empty for the default one).
    /// A protocol name holds letters, digits, '.', '_' and '-'.
    /// </summary>
    public IDictionary<string, string> Models { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// The tag of the host's health checks that decide gRPC's ServerReady (as its REST readiness probe does), or null
    /// (the default) for "every served model is loaded".
    /// </summary>
    public string? ReadinessTag { get; set; }
}
