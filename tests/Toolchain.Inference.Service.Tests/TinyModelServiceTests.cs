using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests;

/// <summary>
/// Base of test classes that talk to the service running on the labelled tiny model ("digit 0" … "digit 9"), started
/// before each test with <paramref name="settings"/> as extra configuration and stopped after it.
/// </summary>
public abstract class TinyModelServiceTests(params (string Key, string Value)[] settings) : IAsyncLifetime
{
    private readonly TempDir _dir = new();

    internal RunningService Service { get; private set; } = null!;

    /// <summary>Whether the tests need Kestrel on a real socket (raw HTTP); otherwise the service runs in memory.</summary>
    private protected virtual bool OnSocket => false;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var model = LabelledTinyModels.Write(_dir.File("model.onnx"), "digit ");
        Service = OnSocket ? await RunningService.StartOnSocketAsync(model, time: null, settings) : await RunningService.StartAsync(model, settings);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Service.DisposeAsync();
        _dir.Dispose();
    }
}
