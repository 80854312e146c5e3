using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Toolchain.Inference.Hosting;
using Toolchain.Inference.Runtime;
using Toolchain.TestSupport;
using Toolchain.Contracts;

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
            Assert.Equal(8, classifier.Options.Batching.MaxBatchSize);
            Assert.Equal(250, classifier.Options.Batching.MaxQueueDelayMicroseconds);

            // Without StartAsync the first request loads the model.
            var result = await classifier.ClassifyImageAsync(LabelledTinyModels.Png(4), "four.png");
            Assert.Equal("digit 4", result.Prediction.LabelName);
        }

        Assert.Throws<ObjectDisposedException>(() => classifier.Models.Acquire());
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

        var result = await classifier.ClassifyAsync(LabelledTinyModels.Input(9));

        Assert.Null(classifier.Batcher);
        Assert.Equal("d9", result.Prediction.LabelName);
        Assert.Equal(classifier.Models.Version, result.Version);
    }
}
