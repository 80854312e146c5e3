using Toolchain.Contracts;
using Toolchain.Imaging;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Hosting;

/// <summary>
/// What an <see cref="OnnxClassifier"/> serves and how, at one moment (<see cref="OnnxClassifier.GetStatus"/>): for
/// status endpoints, health reports and logs. The model's fields are null until a model is loaded.
/// </summary>
public sealed record ClassifierStatus
{
    /// <summary>The classifier's name; empty for the default one.</summary>
    public required string Name { get; init; }

    /// <summary>The model file it serves and watches (absolute).</summary>
    public required string ModelPath { get; init; }

    /// <summary>Whether a model is loaded and serving.</summary>
    public required bool IsReady { get; init; }

    /// <summary>The serving model: content hash, load time and generation; null before the first load.</summary>
    public ModelVersion? Version { get; init; }

    /// <summary>The execution provider the serving model runs on (CPU or CUDA); null before the first load.</summary>
    public ExecutionProvider? Provider { get; init; }

    /// <summary>ONNX Runtime intra-op threads per model run, as worked out from the options.</summary>
    public required int IntraOpThreads { get; init; }

    /// <summary>What the serving model declares about itself (card, shapes, labels, integrity); null before the first load.</summary>
    public ModelInfo? Model { get; init; }

    /// <summary>The serving model's image preprocessing, or null when it takes no images or none is loaded.</summary>
    public IImagePreprocessor? Preprocessor { get; init; }

    /// <summary>The batching settings in force and the queue's length.</summary>
    public required BatchingStatus Batching { get; init; }

    /// <summary>Successful hot reloads after the first load.</summary>
    public required long ReloadCount { get; init; }

    /// <summary>Changed model files that could not be loaded (the old model kept serving).</summary>
    public required long FailedReloadCount { get; init; }

    /// <summary>ONNX Runtime sessions alive: the current model plus old ones still finishing requests.</summary>
    public required int LiveModelCount { get; init; }

    /// <summary>Why the last load failed, or null when it succeeded (or none has finished yet).</summary>
    public string? LastFailure { get; init; }
}

/// <summary>The dynamic batching an <see cref="OnnxClassifier"/> runs with (see <see cref="Batching.BatchingOptions"/>).</summary>
public sealed record BatchingStatus
{
    /// <summary>Whether requests are batched; when false each request runs the model by itself.</summary>
    public required bool Enabled { get; init; }

    /// <summary>The most rows in one model run.</summary>
    public required int MaxBatchSize { get; init; }

    /// <summary>How long the oldest request may wait for the batch to fill.</summary>
    public required int MaxQueueDelayMicroseconds { get; init; }

    /// <summary>The most requests admitted and not yet answered.</summary>
    public required int QueueCapacity { get; init; }

    /// <summary>How many batches may run at once.</summary>
    public required int Instances { get; init; }

    /// <summary>Requests admitted and not yet answered now; 0 without batching.</summary>
    public int QueueLength { get; init; }
}
