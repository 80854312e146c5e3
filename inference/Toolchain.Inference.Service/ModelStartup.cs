using Toolchain.Inference.Hosting;
using Toolchain.Inference.Service.Metrics;

namespace Toolchain.Inference.Service;

/// <summary>
/// Starts loading the model when the app starts, without holding up startup: /healthz answers at once and /readyz
/// turns ready when the model is in. Also hooks the batcher's meter up to the service's metrics.
/// </summary>
internal sealed class ModelStartup(OnnxClassifier classifier, ServiceMetrics metrics) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        metrics.Observe(classifier);
        _ = classifier.StartAsync(CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
