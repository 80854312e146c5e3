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

    public ClassifierMetrics(ReloadingModelHost models, BatchingClassifier? batcher, IMeterFactory? meterFactory)
    {
        var meter = meterFactory?.Create(new MeterOptions(InferenceMetrics.MeterName)) ?? (_ownMeter = new Meter(InferenceMetrics.MeterName));
        meter.CreateObservableGauge(InferenceMetrics.ModelReady, () => models.IsReady ? 1 : 0, null, "1 once a model is loaded");
        meter.CreateObservableGauge(InferenceMetrics.ModelInfo, () => Info(models), null,
            "The serving model's version (SHA-256 prefix) and generation");
        meter.CreateObservableCounter(InferenceMetrics.ModelReloads, () => models.ReloadCount, "{reload}",
            "Successful hot reloads of the model file");
        meter.CreateObservableCounter(InferenceMetrics.ModelReloadFailures, () => models.FailedReloadCount, "{reload}",
            "Changed model files that could not be loaded (the old model kept serving)");
        meter.CreateObservableGauge(InferenceMetrics.ModelSessions, () => models.LiveModelCount, "{session}",
            "ONNX Runtime sessions alive: the current model plus old ones still draining");
        meter.CreateObservableGauge(InferenceMetrics.QueueLength, () => batcher?.QueueLength ?? 0, "{request}",
            "Requests admitted to the batching queue and not yet answered");
    }

    public void Dispose() => _ownMeter?.Dispose();

    private static Measurement<int>[] Info(ReloadingModelHost models) => models.Version is { } version
        ? [new Measurement<int>(1, new(InferenceMetrics.VersionTag, version.Id), new(InferenceMetrics.GenerationTag, version.Generation))]
        : [];
}
