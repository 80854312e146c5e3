using Microsoft.Extensions.Logging;
using Toolchain.Contracts;

namespace Toolchain.Inference.Runtime;

/// <summary>How to load an <see cref="OnnxModel"/>.</summary>
public sealed class OnnxModelOptions
{
    /// <summary>Execution provider; <see cref="ExecutionProvider.Auto"/> by default.</summary>
    public ExecutionProvider Provider { get; set; } = ExecutionProvider.Auto;

    /// <summary>Intra-op threads; 0 lets ONNX Runtime choose.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>How much ONNX Runtime rewrites the graph before running it; <see cref="GraphOptimization.All"/> by default.</summary>
    public GraphOptimization OptimizationLevel { get; set; } = GraphOptimization.All;

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
public sealed record ForeignModelInput
{
    /// <summary>Input shape with -1 for the batch axis, e.g. [-1,1,28,28].</summary>
    public required IReadOnlyList<long> InputShape { get; init; }

    /// <summary>Normalisation mean applied to pixels scaled to [0,1].</summary>
    public required double Mean { get; init; }

    /// <summary>Normalisation std.</summary>
    public required double Std { get; init; }

    /// <summary>Class names, or null for "0", "1", ….</summary>
    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>How images are prepared for the model.</summary>
    public PreprocessingMode PreprocessingMode { get; init; } = PreprocessingMode.Digit;
}

/// <summary>
/// How much ONNX Runtime rewrites a graph before running it (its graph optimisation levels), in the library's own
/// terms so that options bound from configuration do not name ONNX Runtime's types.
/// </summary>
public enum GraphOptimization
{
    /// <summary>No rewriting: the graph runs as it is written.</summary>
    None,

    /// <summary>Semantics-preserving rewrites that apply to every provider (constant folding, redundant node removal).</summary>
    Basic,

    /// <summary>Basic, plus fusions of the providers in use.</summary>
    Extended,

    /// <summary>Every rewrite, layout changes included (the default).</summary>
    All,
}
