using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Toolchain.Inference.Hosting;

/// <summary>One name passed to AddOnnxClassifier, so the hosted service knows every classifier to start.</summary>
internal sealed record ClassifierRegistration(string Name);

/// <summary>
/// The hosted service AddOnnxClassifier registers once for all names. At start it resolves every registered classifier
/// (so bad options stop the host at once, not at the first request) and starts each one's first load in the
/// background without waiting for it: the host comes up at once, a readiness probe reports the load, and a request that
/// comes before it has finished gets <see cref="ModelNotReadyException"/>. At stop it stops watching the model files and
/// waits for loads still running; once every hosted service has stopped (a web server has drained its requests by then,
/// wherever it was registered) it disposes the classifiers, letting queued requests finish.
/// </summary>
internal sealed class ClassifierStartup(IServiceProvider services, IEnumerable<ClassifierRegistration> registrations) : IHostedLifecycleService
{
    private OnnxClassifier[] _classifiers = [];

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _classifiers = registrations.Select(r => services.GetRequiredKeyedService<OnnxClassifier>(r.Name)).ToArray();
        foreach (var classifier in _classifiers)
        {
            // Not awaited: loading a model takes seconds and the host must not wait for it. A failure is not thrown
            // either; it is logged and kept as the reason readiness gives.
            _ = classifier.StartAsync(CancellationToken.None);
        }
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_classifiers.Select(c => c.StopWatchingAsync(cancellationToken)));

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        foreach (var classifier in _classifiers)
        {
            await classifier.DisposeAsync().ConfigureAwait(false);
        }
    }
}
