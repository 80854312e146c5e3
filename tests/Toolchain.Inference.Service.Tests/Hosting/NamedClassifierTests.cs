using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Toolchain.Contracts;
using Toolchain.Inference.Hosting;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Hosting;

/// <summary>Several classifiers in one container, told apart by name (keyed services and named options).</summary>
public sealed class NamedClassifierTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static void Quiet(OnnxClassifierOptions o) => QuietClassifierOptions.Apply(o);

    private ServiceCollection TwoModels(out string digitsPath, out string lettersPath)
    {
        var digits = digitsPath = LabelledTinyModels.Write(_dir.File("digits.onnx"), "digit ");
        var letters = lettersPath = LabelledTinyModels.Write(_dir.File("letters.onnx"), "letter ");
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOnnxClassifier("digits", o =>
        {
            Quiet(o);
            o.ModelPath = digits;
            o.Batching.MaxBatchSize = 8;
        });
        services.AddOnnxClassifier("letters", o =>
        {
            Quiet(o);
            o.ModelPath = letters;
            o.Batching.Enabled = false;
        });
        return services;
    }

    [Fact]
    public async Task Each_name_is_a_keyed_singleton_with_its_own_named_options_and_model()
    {
        await using var provider = TwoModels(out var digitsPath, out var lettersPath).BuildServiceProvider();

        var digits = provider.GetRequiredKeyedService<OnnxClassifier>("digits");
        var letters = provider.GetRequiredKeyedService<OnnxClassifier>("letters");
        await Task.WhenAll(digits.StartAsync(), letters.StartAsync());

        Assert.Same(digits, provider.GetRequiredKeyedService<OnnxClassifier>("digits"));
        Assert.NotSame(digits, letters);
        Assert.Equal("digits", digits.Name);
        Assert.Equal("letters", letters.Name);
        var monitor = provider.GetRequiredService<IOptionsMonitor<OnnxClassifierOptions>>();
        Assert.Equal(digitsPath, monitor.Get("digits").ModelPath);
        Assert.Equal(lettersPath, monitor.Get("letters").ModelPath);
        Assert.Equal(8, monitor.Get("digits").Batching.MaxBatchSize);
        Assert.Equal("digit 3", (await digits.ClassifyImageAsync(LabelledTinyModels.Png(3), "3.png")).Prediction.LabelName);
        Assert.Equal("letter 3", (await letters.ClassifyImageAsync(LabelledTinyModels.Png(3), "3.png")).Prediction.LabelName);
        // Only named classifiers were registered, so there is no default one to hand out.
        Assert.Null(provider.GetService<OnnxClassifier>());
    }

    [Fact]
    public async Task A_constructor_parameter_marked_FromKeyedServices_gets_the_classifier_of_that_name()
    {
        var services = TwoModels(out _, out _);
        services.AddSingleton<LettersConsumer>();
        await using var provider = services.BuildServiceProvider();

        var consumer = provider.GetRequiredService<LettersConsumer>();

        Assert.Same(provider.GetRequiredKeyedService<OnnxClassifier>("letters"), consumer.Classifier);
    }

    private sealed class LettersConsumer([FromKeyedServices("letters")] OnnxClassifier classifier)
    {
        public OnnxClassifier Classifier { get; } = classifier;
    }

    [Fact]
    public async Task The_unnamed_registration_is_the_plain_service_and_the_keyed_service_of_the_default_name()
    {
        var path = LabelledTinyModels.Write(_dir.File("model.onnx"), "digit ");
        var services = TwoModels(out _, out _);
        services.AddOnnxClassifier(o =>
        {
            Quiet(o);
            o.ModelPath = path;
        });
        OnnxClassifier plain;

        await using (var provider = services.BuildServiceProvider())
        {
            plain = provider.GetRequiredService<OnnxClassifier>();

            Assert.Same(plain, provider.GetRequiredKeyedService<OnnxClassifier>(Options.DefaultName));
            Assert.Equal("", plain.Name);
            Assert.Equal(path, provider.GetRequiredService<IOptions<OnnxClassifierOptions>>().Value.ModelPath);
            await plain.StartAsync();
            Assert.Equal("digit 6", (await plain.ClassifyImageAsync(LabelledTinyModels.Png(6), "6.png")).Prediction.LabelName);
        }

        // Registered as two services, disposed by the container once for each: the second time is harmless.
        await Assert.ThrowsAsync<ObjectDisposedException>(() => plain.ClassifyImageAsync(LabelledTinyModels.Png(6), "6.png"));
    }

    [Theory]
    [InlineData("digits", "'digits'")]
    [InlineData("", "default")]
    public void Registering_a_name_a_second_time_fails_at_once_rather_than_merging_the_two(string name, string named)
    {
        var services = new ServiceCollection();
        services.AddOnnxClassifier(name, o => o.ModelPath = "first.onnx");

        var error = Assert.Throws<InvalidOperationException>(() => services.AddOnnxClassifier(name, o => o.ModelPath = "second.onnx"));

        Assert.Contains(named, error.Message);
        Assert.Contains("already registered", error.Message);
    }

    [Fact]
    public async Task Options_are_validated_per_name_and_a_bad_one_fails_only_its_own_classifier()
    {
        var services = TwoModels(out _, out _);
        services.AddOnnxClassifier("broken", o => o.Batching.QueueCapacity = 0);
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredKeyedService<OnnxClassifier>("broken"));

        Assert.Equal("broken", error.OptionsName);
        Assert.Contains("classifier 'broken': ModelPath is required", error.Message);
        Assert.NotNull(provider.GetRequiredKeyedService<OnnxClassifier>("digits"));
    }

    [Fact]
    public async Task Two_names_reload_and_batch_independently()
    {
        await using var provider = TwoModels(out var digitsPath, out _).BuildServiceProvider();
        var digits = provider.GetRequiredKeyedService<OnnxClassifier>("digits");
        var letters = provider.GetRequiredKeyedService<OnnxClassifier>("letters");
        await Task.WhenAll(digits.StartAsync(), letters.StartAsync());
        var lettersVersion = letters.GetStatus().Version;

        LabelledTinyModels.Replace(digitsPath, "new digit ");

        Assert.True(digits.Models.CheckForChange());
        Assert.False(letters.Models.CheckForChange());
        Assert.Equal(2, digits.GetStatus().Version!.Generation);
        Assert.Equal(lettersVersion, letters.GetStatus().Version);
        Assert.Equal("new digit 1", (await digits.ClassifyImageAsync(LabelledTinyModels.Png(1), "1.png")).Prediction.LabelName);
        Assert.Equal("letter 1", (await letters.ClassifyImageAsync(LabelledTinyModels.Png(1), "1.png")).Prediction.LabelName);
        Assert.True(digits.GetStatus().Batching.Enabled);
        Assert.False(letters.GetStatus().Batching.Enabled);
    }

    [Fact]
    public async Task A_named_classifiers_measurements_carry_its_name()
    {
        var services = TwoModels(out _, out _);
        services.AddMetrics();
        await using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IMeterFactory>();
        var ready = new ConcurrentDictionary<string, int>();
        var batchSizes = new ConcurrentQueue<(int Size, object? Model)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) =>
        {
            var model = tags.ToArray().Single(t => t.Key == InferenceMetrics.ModelNameTag).Value;
            if (instrument.Name == InferenceMetrics.ModelReady)
            {
                ready[(string)model!] = value;
            }
            else if (instrument.Name == InferenceMetrics.BatchSize)
            {
                batchSizes.Enqueue((value, model));
            }
        });
        listener.Start();
        var digits = provider.GetRequiredKeyedService<OnnxClassifier>("digits");
        var letters = provider.GetRequiredKeyedService<OnnxClassifier>("letters");

        await digits.StartAsync();
        await digits.ClassifyImageAsync(LabelledTinyModels.Png(2), "2.png");
        listener.RecordObservableInstruments();

        Assert.Equal(1, ready["digits"]);
        Assert.Equal(0, ready["letters"]);
        Assert.Equal([(1, (object?)"digits")], batchSizes);
        Assert.False(letters.IsReady);
    }
}
