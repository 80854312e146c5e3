using Toolchain.Contracts;
using Toolchain.Imaging;
using Toolchain.Inference.Batching;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Hosting;

/// <summary>Settings of an <see cref="OnnxClassifier"/>, for the options pattern (bind them from configuration).</summary>
public sealed class OnnxClassifierOptions
{
    /// <summary>The ONNX model file, watched for changes as <see cref="Reload"/> says. Required unless <see cref="Source"/> is set.</summary>
    public string ModelPath { get; set; } = "";

    /// <summary>
    /// Where the model comes from, when not from <see cref="ModelPath"/>: a <see cref="ModelSource"/> of your own (a
    /// model store, a registry). Null (the default) watches <see cref="ModelPath"/> with a <see cref="FileModelSource"/>.
    /// The classifier disposes the source with itself. Not bound from configuration.
    /// </summary>
    public ModelSource? Source { get; set; }

    /// <summary>
    /// What a model without a Toolchain model card (a foreign model, from another tool) takes, since its file does not
    /// say; ignored for a model with a card. Null (the default) refuses foreign models.
    /// </summary>
    public ForeignModelInput? ForeignInput { get; set; }

    /// <summary>Execution provider; <see cref="ExecutionProvider.Auto"/> by default.</summary>
    public ExecutionProvider Provider { get; set; } = ExecutionProvider.Auto;

    /// <summary>
    /// ONNX Runtime intra-op threads per model run; 0 (the default) picks <see cref="ThreadsFor"/>. Not ORT's own
    /// default (one thread per core): in a service the parallelism comes from concurrent requests, and several runs
    /// each fanning out over every core fight for them (measured on 2 cores with the CNN: unbatched 5,900 req/s with
    /// ORT's default against 8,300 with 1 thread; batched 7,400 against 10,100).
    /// </summary>
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// The intra-op threads in force: <see cref="IntraOpThreads"/> when set; otherwise 1 without batching (each request
    /// runs on its own thread), and with batching half the cores shared among the
    /// <see cref="BatchingOptions.Instances"/> (the other half parse requests and decode images), at least 1.
    /// </summary>
    public int ThreadsFor(int processorCount) =>
        IntraOpThreads > 0 ? IntraOpThreads
        : Batching.Enabled ? Math.Max(1, processorCount / 2 / Math.Max(1, Batching.Instances))
        : 1;

    /// <summary>
    /// Whether ORT's threads spin while waiting; see <see cref="OnnxModelOptions.AllowSpinning"/>. Off by default: in a
    /// service the same cores also parse requests and decode images, and spinning threads take their time (measured on
    /// 2 cores: about 1.5× the batched throughput with spinning off).
    /// </summary>
    public bool AllowSpinning { get; set; }

    /// <summary>
    /// Whether only image classifiers are served: a model that takes no image (neither a 28×28 single-channel digit
    /// input nor an image input its card describes: channels, height and width) is refused at load and
    /// on reload (the old model keeps serving), rather than loaded and failing every image request. Off by default.
    /// </summary>
    public bool RequireImageInput { get; set; }

    /// <summary>
    /// Whether a model is checked against the integrity record in its card before it serves, at the first load and on
    /// every reload; see <see cref="OnnxModelOptions.VerifyIntegrity"/>. On by default: a corrupted file never becomes
    /// ready, and a corrupted replacement is refused while the old model keeps serving.
    /// </summary>
    public bool VerifyIntegrity { get; set; } = true;

    /// <summary>Overrides the card's image preprocessing (none, digit or resize). Null follows the card.</summary>
    public PreprocessingMode? PreprocessingMode { get; set; }

    /// <summary>
    /// What one image may cost before it is decoded; <see cref="ImageLimits.Service"/> (16 megapixels, 8,192 px per
    /// side, 20 MB) by default, since a service takes images from clients it does not control.
    /// </summary>
    public ImageLimits Images { get; set; } = ImageLimits.Service;

    /// <summary>Dynamic batching.</summary>
    public BatchingOptions Batching { get; set; } = new();

    /// <summary>Hot reload of the model file.</summary>
    public ModelReloadOptions Reload { get; set; } = new();

    /// <summary>Returns the first problem with these settings, or null when they are usable.</summary>
    public string? Problem()
    {
        if (Source is null && string.IsNullOrWhiteSpace(ModelPath))
        {
            return "ModelPath is required";
        }
        if (IntraOpThreads < 0)
        {
            return $"IntraOpThreads must not be negative (got {IntraOpThreads})";
        }
        if (Batching.MaxBatchSize < 1)
        {
            return $"Batching.MaxBatchSize must be at least 1 (got {Batching.MaxBatchSize})";
        }
        if (Batching.MaxQueueDelayMicroseconds < 0)
        {
            return $"Batching.MaxQueueDelayMicroseconds must not be negative (got {Batching.MaxQueueDelayMicroseconds})";
        }
        if (Batching.QueueCapacity < 1)
        {
            return $"Batching.QueueCapacity must be at least 1 (got {Batching.QueueCapacity})";
        }
        if (Batching.Instances is < 1 or > 256)
        {
            return $"Batching.Instances must be between 1 and 256 (got {Batching.Instances})";
        }
        if (Images.Problem() is { } images)
        {
            return $"Images.{images}";
        }
        if (Reload.Debounce < TimeSpan.Zero || Reload.PollInterval <= TimeSpan.Zero)
        {
            return "Reload.Debounce must not be negative and Reload.PollInterval must be positive";
        }
        return null;
    }
}
