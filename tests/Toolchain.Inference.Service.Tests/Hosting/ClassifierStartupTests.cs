using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Toolchain.Contracts;
using Toolchain.Inference.Hosting;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Hosting;

/// <summary>The hosted service AddOnnxClassifier registers, in a generic .NET host.</summary>
public sealed class ClassifierStartupTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static void Quiet(OnnxClassifierOptions o) => QuietClassifierOptions.Apply(o);

    [Fact]
    public async Task The_host_starts_every_classifiers_load_without_waiting_for_it_and_disposes_them_when_it_stops()
    {
        using var stalled = new StalledModelFile(_dir.File("stalled.onnx"));
        var letters = LabelledTinyModels.Write(_dir.File("letters.onnx"), "letter ");
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddOnnxClassifier("stalled", o =>
        {
            Quiet(o);
            o.ModelPath = stalled.Path;
        });
        builder.Services.AddOnnxClassifier("letters", o =>
        {
            Quiet(o);
            o.ModelPath = letters;
        });
        using var host = builder.Build();
        var stalledClassifier = host.Services.GetRequiredKeyedService<OnnxClassifier>("stalled");
        var lettersClassifier = host.Services.GetRequiredKeyedService<OnnxClassifier>("letters");
        var lettersLoaded = new TaskCompletionSource<ModelVersion>(TaskCreationOptions.RunContinuationsAsynchronously);
        lettersClassifier.ModelChanged += v => lettersLoaded.TrySetResult(v);

        // One load never finishes until released, yet the host is up.
        await host.StartAsync().WaitAsync(Timeout);

        Assert.Equal(1, (await lettersLoaded.Task.WaitAsync(Timeout)).Generation);
        Assert.Equal("letter 2", (await lettersClassifier.ClassifyImageAsync(LabelledTinyModels.Png(2), "2.png")).Prediction.LabelName);
        Assert.False(stalledClassifier.IsReady);
        var early = await Assert.ThrowsAsync<ModelNotReadyException>(() => stalledClassifier.ClassifyImageAsync(LabelledTinyModels.Png(2), "2.png"));
        Assert.Contains($"{stalled.Path} is still loading", early.Message);

        await stalled.ReleaseAsync();
        // The task the hosted service started: it ends once the released load has been tried (and failed).
        await stalledClassifier.StartAsync().WaitAsync(Timeout);
        Assert.Contains("named pipe", stalledClassifier.GetStatus().LastFailure);
        await host.StopAsync().WaitAsync(Timeout);

        await Assert.ThrowsAsync<ObjectDisposedException>(() => lettersClassifier.ClassifyImageAsync(LabelledTinyModels.Png(2), "2.png"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => stalledClassifier.ClassifyImageAsync(LabelledTinyModels.Png(2), "2.png"));
    }

    [Fact]
    public void One_hosted_service_covers_every_registered_name()
    {
        var services = new ServiceCollection();

        services.AddOnnxClassifier(o => o.ModelPath = "a.onnx");
        services.AddOnnxClassifier("b", o => o.ModelPath = "b.onnx");
        services.AddOnnxClassifier("c", o => o.ModelPath = "c.onnx");

        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
    }

    [Fact]
    public async Task Bad_options_of_any_name_stop_the_host_from_starting()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddOnnxClassifier("good", o => o.ModelPath = "good.onnx");
        builder.Services.AddOnnxClassifier("bad", o => o.ModelPath = "");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal("bad", error.OptionsName);
    }
}
