using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Toolchain.Contracts;
using Toolchain.Inference.Hosting;
using Toolchain.Inference.Runtime;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Hosting;

/// <summary>The library's DI registration, exercised with the real container (which the library itself does not reference).</summary>
public sealed class AddOnnxClassifierTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_registered_classifier_is_a_singleton_configured_through_options_and_disposed_with_the_container()
    {
        var path = LabelledTinyModels.Write(_dir.File("model.onnx"), "digit ");
        var services = new ServiceCollection().AddLogging();
        services.AddOnnxClassifier(o =>
        {
            o.ModelPath = path;
            o.Provider = ExecutionProvider.Cpu;
            o.Batching.MaxBatchSize = 8;
        });
        services.Configure<OnnxClassifierOptions>(o => o.Batching.MaxQueueDelayMicroseconds = 250);
        OnnxClassifier classifier;

        await using (var provider = services.BuildServiceProvider())
        {
            classifier = provider.GetRequiredService<OnnxClassifier>();
            Assert.Same(classifier, provider.GetRequiredService<OnnxClassifier>());
            Assert.Equal(8, classifier.GetStatus().Batching.MaxBatchSize);
            Assert.Equal(250, classifier.GetStatus().Batching.MaxQueueDelayMicroseconds);

            // Without a host nothing starts the load: requests fail at once until StartAsync has loaded the model.
            var early = await Assert.ThrowsAsync<ModelNotReadyException>(() => classifier.ClassifyImageAsync(LabelledTinyModels.Png(4), "four.png"));
            Assert.Contains("StartAsync was not called", early.Message);
            await classifier.StartAsync();
            var result = await classifier.ClassifyImageAsync(LabelledTinyModels.Png(4), "four.png");
            Assert.Equal("digit 4", result.Prediction.LabelName);
        }

        Assert.Throws<ObjectDisposedException>(() => classifier.GetStatus());
    }

    [Fact]
    public async Task The_classifier_publishes_batching_and_model_state_on_meters_from_the_containers_factory()
    {
        var path = LabelledTinyModels.Write(_dir.File("model.onnx"), "digit ");
        var services = new ServiceCollection().AddLogging().AddMetrics();
        services.AddOnnxClassifier(o =>
        {
            o.ModelPath = path;
            o.Provider = ExecutionProvider.Cpu;
        });
        await using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IMeterFactory>();
        var measurements = new ConcurrentDictionary<string, (long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Meters are process-wide; the factory's scope tells this container's apart from other tests'.
            if (ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
            measurements[$"{instrument.Meter.Name} {instrument.Name}"] = (value, new Dictionary<string, object?>(tags.ToArray()));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();

        var classifier = provider.GetRequiredService<OnnxClassifier>();
        await classifier.StartAsync();
        await classifier.ClassifyImageAsync(LabelledTinyModels.Png(2), "two.png");
        listener.RecordObservableInstruments();

        var model = InferenceMetrics.MeterName;
        Assert.Equal(1, measurements[$"{model} {InferenceMetrics.ModelReady}"].Value);
        var info = measurements[$"{model} {InferenceMetrics.ModelInfo}"];
        Assert.Equal(classifier.GetStatus().Version!.Id, info.Tags[InferenceMetrics.VersionTag]);
        Assert.Equal(1L, info.Tags[InferenceMetrics.GenerationTag]);
        Assert.Equal(0, measurements[$"{model} {InferenceMetrics.ModelReloads}"].Value);
        Assert.Equal(0, measurements[$"{model} {InferenceMetrics.ModelReloadFailures}"].Value);
        Assert.Equal(1, measurements[$"{model} {InferenceMetrics.ModelSessions}"].Value);
        Assert.Equal(0, measurements[$"{model} {InferenceMetrics.QueueLength}"].Value);
        Assert.Equal(1, measurements[$"{InferenceMetrics.BatchingMeterName} {InferenceMetrics.BatchSize}"].Value);
        Assert.Same(factory, classifier.Batcher!.Meter.Scope);
    }

    [Fact]
    public async Task The_containers_TimeProvider_runs_the_classifiers_batching_delay_and_load_times()
    {
        var path = LabelledTinyModels.Write(_dir.File("model.onnx"), "digit ");
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(time);
        services.AddOnnxClassifier(o =>
        {
            o.ModelPath = path;
            o.Provider = ExecutionProvider.Cpu;
            // Half an hour: on the system's clock the request below would not be answered within the test.
            o.Batching.MaxQueueDelayMicroseconds = 1_800_000_000;
        });
        await using var provider = services.BuildServiceProvider();
        var classifier = provider.GetRequiredService<OnnxClassifier>();
        await classifier.StartAsync();

        var pending = classifier.ClassifyImageAsync(LabelledTinyModels.Png(7), "seven.png");
        // The batcher arms its delay on the fake clock only once the request is queued, which may be after this line;
        // a single Advance could come first and leave the delay waiting half an hour of a clock nobody moves again.
        await Eventually.TrueAsync(() =>
        {
            time.Advance(TimeSpan.FromMinutes(30));
            return pending.IsCompleted;
        }, "the request answered once the fake clock passed the batching delay");

        var result = await pending;
        Assert.Equal("digit 7", result.Prediction.LabelName);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), result.Version.LoadedAt);
    }

    [Fact]
    public async Task The_status_describes_the_serving_model_the_settings_in_force_and_the_reload_history()
    {
        var path = LabelledTinyModels.Write(_dir.File("model.onnx"), "digit ");
        await using var classifier = new OnnxClassifier(new OnnxClassifierOptions
        {
            ModelPath = path,
            Provider = ExecutionProvider.Cpu,
            IntraOpThreads = 3,
            Batching = { MaxBatchSize = 16, MaxQueueDelayMicroseconds = 100, QueueCapacity = 50, Instances = 1 },
            Reload = { UseFileWatcher = false, PollInterval = TimeSpan.FromHours(1) },
        }, name: "digits");

        var before = classifier.GetStatus();
        await classifier.StartAsync();
        var loaded = classifier.GetStatus();
        File.WriteAllText(path, "not a model");
        classifier.Models.CheckForChange();
        var afterBadReload = classifier.GetStatus();

        Assert.Equal(new BatchingStatus { Enabled = true, MaxBatchSize = 16, MaxQueueDelayMicroseconds = 100, QueueCapacity = 50, Instances = 1, QueueLength = 0 }, before.Batching);
        Assert.Equal(("digits", path, 3), (before.Name, before.ModelPath, before.IntraOpThreads));
        Assert.False(before.IsReady);
        Assert.Null(before.Version);
        Assert.Null(before.Model);
        Assert.True(loaded.IsReady);
        Assert.Equal(1, loaded.Version!.Generation);
        Assert.Equal(ExecutionProvider.Cpu, loaded.Provider);
        Assert.Equal("digit 4", loaded.Model!.Labels[4]);
        Assert.Equal(PreprocessingMode.None, loaded.Preprocessor!.Mode);
        Assert.Equal(1, loaded.LiveModelCount);
        Assert.Null(loaded.LastFailure);
        Assert.Equal(loaded.Version, afterBadReload.Version);
        Assert.Equal((0, 1), (afterBadReload.ReloadCount, afterBadReload.FailedReloadCount));
        Assert.Contains(path, afterBadReload.LastFailure);
    }

    [Fact]
    public void Invalid_options_fail_when_the_classifier_is_resolved()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddOnnxClassifier(o =>
        {
            o.ModelPath = "model.onnx";
            o.Batching.MaxBatchSize = 0;
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<OnnxClassifier>());

        Assert.Contains("Batching.MaxBatchSize must be at least 1 (got 0)", error.Message);
    }

    [Fact]
    public async Task With_batching_off_there_is_no_batcher_and_requests_run_directly()
    {
        var path = LabelledTinyModels.Write(_dir.File("model.onnx"), "d");
        await using var classifier = new OnnxClassifier(new OnnxClassifierOptions
        {
            ModelPath = path,
            Provider = ExecutionProvider.Cpu,
            Batching = { Enabled = false },
        });

        await classifier.StartAsync();

        var result = await classifier.ClassifyAsync(LabelledTinyModels.Input(9));

        Assert.False(classifier.GetStatus().Batching.Enabled);
        Assert.Equal("d9", result.Prediction.LabelName);
        Assert.Equal(classifier.GetStatus().Version, result.Version);
    }
}
