namespace Toolchain.Inference.Runtime;

/// <summary>
/// An ONNX model loaded into ONNX Runtime, ready to classify batches. Thread-safe: one instance serves concurrent
/// callers. Owns its native session; dispose it.
/// </summary>
public sealed class OnnxModel : IDisposable
{
    private OnnxModel() { }

    /// <summary>What the model declares about itself.</summary>
    public ModelInfo Info => throw new NotImplementedException();

    /// <summary>The provider actually in use: "CUDA" or "CPU".</summary>
    public string ActiveProvider => throw new NotImplementedException();

    /// <summary>
    /// Loads <paramref name="path"/>. Throws <see cref="Shared.Errors.InvalidInputFileException"/> for a missing, corrupt
    /// or non-ONNX file, or a foreign model without <see cref="OnnxModelOptions.ForeignInput"/>, and
    /// <see cref="Shared.Errors.ToolchainException"/> when CUDA is required but cannot start.
    /// </summary>
    public static OnnxModel Load(string path, OnnxModelOptions? options = null) => throw new NotImplementedException();

    /// <summary>Classifies <paramref name="count"/> model-ready (normalised) float32 examples laid out back to back.</summary>
    public Prediction[] Classify(ReadOnlySpan<float> inputs, int count) => throw new NotImplementedException();

    /// <summary>Classifies <paramref name="count"/> model-ready float64 examples laid out back to back.</summary>
    public Prediction[] Classify(ReadOnlySpan<double> inputs, int count) => throw new NotImplementedException();

    /// <inheritdoc />
    public void Dispose() { }
}
