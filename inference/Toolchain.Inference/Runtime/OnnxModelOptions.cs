using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Toolchain.Contracts;

namespace Toolchain.Inference.Runtime;

/// <summary>How to load an <see cref="OnnxModel"/>.</summary>
public sealed class OnnxModelOptions
{
    /// <summary>Execution provider; <see cref="ExecutionProvider.Auto"/> by default.</summary>
    public ExecutionProvider Provider { get; set; } = ExecutionProvider.Auto;

    /// <summary>Intra-op threads; 0 lets ONNX Runtime choose.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Graph optimisation level; all optimisations by default.</summary>
    public GraphOptimizationLevel OptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>
    /// Describes the input of a foreign model (one without our model card). Ignored when the file has a card.
    /// </summary>
    public ForeignModelInput? ForeignInput { get; set; }

    /// <summary>
    /// Whether ORT's intra-op threads spin while waiting for work. Spinning cuts latency between kernels; turn it off
    /// when the process shares its cores with other busy work. On by default.
    /// </summary>
    public bool AllowSpinning { get; set; } = true;

    /// <summary>
    /// Whether to check the model against the integrity record in its card (the graph digest and the reference outputs
    /// recorded at export) when loading it. On by default: <see cref="OnnxModel.Load"/> then refuses a file that fails
    /// with <see cref="ModelIntegrityException"/>. Models without a record load either way.
    /// </summary>
    public bool VerifyIntegrity { get; set; } = true;

    /// <summary>
    /// Where the library logs, e.g. the reason CUDA was not used (a warning with category
    /// <c>Toolchain.Inference.Runtime.OnnxModel</c>): usually the host's factory. Null (the default) discards it all.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}

/// <summary>What the caller knows about a foreign model's input, since the file does not say.</summary>
/// <param name="InputShape">Input shape with -1 for the batch axis, e.g. [-1,1,28,28].</param>
/// <param name="Mean">Normalisation mean applied to pixels scaled to [0,1].</param>
/// <param name="Std">Normalisation std.</param>
/// <param name="Labels">Class names, or null for "0", "1", ….</param>
/// <param name="PreprocessingMode">How images are prepared for the model.</param>
public sealed record ForeignModelInput(IReadOnlyList<long> InputShape, double Mean, double Std, IReadOnlyList<string>? Labels = null, PreprocessingMode PreprocessingMode = PreprocessingMode.Digit);
