namespace Toolchain.Inference.Hosting;

/// <summary>
/// Names of the meters and instruments the library publishes on (<see cref="System.Diagnostics.Metrics"/>), for
/// listeners and exporters, e.g. OpenTelemetry's <c>AddMeter(InferenceMetrics.MeterName, InferenceMetrics.BatchingMeterName)</c>.
/// Both meters come from the container's <see cref="System.Diagnostics.Metrics.IMeterFactory"/> when there is one.
/// </summary>
public static class InferenceMetrics
{
    /// <summary>The meter of <see cref="OnnxClassifier"/>: model state and queue length, all observable.</summary>
    public const string MeterName = "Toolchain.Inference";

    /// <summary>The meter of an <see cref="OnnxClassifier"/>'s batching: batch sizes, batch run times, rejections.</summary>
    public const string BatchingMeterName = "Toolchain.Inference.Batching";

    /// <summary>Histogram: requests per batched model run (on <see cref="BatchingMeterName"/>).</summary>
    public const string BatchSize = "toolchain.inference.batch.size";

    /// <summary>
    /// Histogram, seconds: time of one batched model run (on <see cref="BatchingMeterName"/>); a run that failed or was
    /// stopped because all its callers gave up carries <see cref="ErrorTypeTag"/>.
    /// </summary>
    public const string BatchDuration = "toolchain.inference.batch.duration";

    /// <summary>The tag naming the exception type of a failed or stopped batch run, as OpenTelemetry's <c>error.type</c>.</summary>
    public const string ErrorTypeTag = "error.type";

    /// <summary>Counter: requests refused because the batching queue was full (on <see cref="BatchingMeterName"/>).</summary>
    public const string QueueRejections = "toolchain.inference.queue.rejections";

    /// <summary>Gauge: requests admitted to the batching queue and not yet answered; 0 without batching.</summary>
    public const string QueueLength = "toolchain.inference.queue.length";

    /// <summary>Gauge: 1 once a model is loaded, else 0.</summary>
    public const string ModelReady = "toolchain.model.ready";

    /// <summary>
    /// Gauge: 1, labelled with the serving model's <see cref="ModelVersion.Id"/> (<see cref="VersionTag"/>) and
    /// <see cref="ModelVersion.Generation"/> (<see cref="GenerationTag"/>); absent until a model is loaded.
    /// </summary>
    public const string ModelInfo = "toolchain.model.info";

    /// <summary>Counter: successful hot reloads of the model file.</summary>
    public const string ModelReloads = "toolchain.model.reloads";

    /// <summary>Counter: changed model files that could not be loaded (the old model kept serving).</summary>
    public const string ModelReloadFailures = "toolchain.model.reload_failures";

    /// <summary>Gauge: ONNX Runtime sessions alive, the current model plus old ones still draining.</summary>
    public const string ModelSessions = "toolchain.model.sessions";

    /// <summary>Tag of <see cref="ModelInfo"/>: the model version (SHA-256 prefix).</summary>
    public const string VersionTag = "version";

    /// <summary>Tag of <see cref="ModelInfo"/>: 1 for the first model, one more for each successful reload.</summary>
    public const string GenerationTag = "generation";

    /// <summary>
    /// Tag of every measurement of a named classifier (<see cref="OnnxClassifier.Name"/>): its name. The default
    /// classifier's measurements carry no such tag.
    /// </summary>
    public const string ModelNameTag = "model";
}
