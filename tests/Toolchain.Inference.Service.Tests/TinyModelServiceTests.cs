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

    /// <inheritdoc />
    public async Task InitializeAsync() =>
        Service = await RunningService.StartAsync(LabelledTinyModels.Write(_dir.File("model.onnx"), "digit "), settings);

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Service.DisposeAsync();
        _dir.Dispose();
    }
}
