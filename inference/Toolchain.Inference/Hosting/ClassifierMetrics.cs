using System.Diagnostics.Metrics;
using Toolchain.Inference.Batching;

namespace Toolchain.Inference.Hosting;

/// <summary>
/// The model-state instruments of an <see cref="OnnxClassifier"/> on the <see cref="InferenceMetrics.MeterName"/>
/// meter. All are observable: they read the host's counters when a listener collects, so serving pays nothing for them.
/// </summary>
internal sealed class ClassifierMetrics : IDisposable
{
    // Null when the meter is the factory's: the factory hands the same meter to everyone who asks and disposes it itself.
    private readonly Meter? _ownMeter;

    /// <summary>
    /// Publishes the state of <paramref name="models"/> and <paramref name="batcher"/>. <paramref name="tags"/> go on
    /// every measurement: a named classifier's name, so classifiers sharing the factory's meter stay apart.
    /// </summary>
    public ClassifierMetrics(ReloadingModelHost models, BatchingClassifier? batcher, IMeterFactory? meterFactory, KeyValuePair<string, object?>[] tags)
    {
        var meter = meterFactory?.Create(new MeterOptions(InferenceMetrics.MeterName)) ?? (_ownMeter = new Meter(InferenceMetrics.MeterName));
        meter.CreateObservableGauge(InferenceMetrics.ModelReady, () => new Measurement<int>(models.IsReady ? 1 : 0, tags), null, "1 once a model is loaded");
        meter.CreateObservableGauge(InferenceMetrics.ModelInfo, () => Info(models, tags), null,
            "The serving model's version (SHA-256 prefix) and generation");
        meter.CreateObservableCounter(InferenceMetrics.ModelReloads, () => new Measurement<long>(models.ReloadCount, tags), "{reload}",
            "Successful hot reloads of the model file");
        meter.CreateObservableCounter(InferenceMetrics.ModelReloadFailures, () => new Measurement<long>(models.FailedReloadCount, tags), "{reload}",
            "Changed model files that could not be loaded (the old model kept serving)");
        meter.CreateObservableGauge(InferenceMetrics.ModelSessions, () => new Measurement<int>(models.LiveModelCount, tags), "{session}",
            "ONNX Runtime sessions alive: the current model plus old ones still draining");
        meter.CreateObservableGauge(InferenceMetrics.QueueLength, () => new Measurement<int>(batcher?.QueueLength ?? 0, tags), "{request}",
            "Requests admitted to the batching queue and not yet answered");
    }

    public void Dispose() => _ownMeter?.Dispose();

    private static Measurement<int>[] Info(ReloadingModelHost models, KeyValuePair<string, object?>[] tags) => models.Version is { } version
        ? [new Measurement<int>(1, [.. tags, new(InferenceMetrics.VersionTag, version.Id), new(InferenceMetrics.GenerationTag, version.Generation)])]
        : [];
}
