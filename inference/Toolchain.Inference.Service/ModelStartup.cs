using Toolchain.Inference.Hosting;

namespace Toolchain.Inference.Service;

/// <summary>
/// Starts loading the model when the app starts, without holding up startup: /healthz answers at once and /readyz
/// turns ready when the model is in.
/// </summary>
internal sealed class ModelStartup(OnnxClassifier classifier) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = classifier.StartAsync(CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
