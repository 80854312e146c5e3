using Microsoft.Extensions.Options;

namespace Toolchain.Inference.Service.Lifecycle;

/// <summary>
/// Graceful shutdown. When the host is told to stop (SIGTERM, Ctrl-C) readiness fails at once; the host's stop then
/// waits here for <see cref="ShutdownOptions.Drain"/> while the server still accepts and answers requests, and only
/// then lets Kestrel close its listener and wait for the requests it holds. The classifiers are disposed after Kestrel
/// has stopped (see the library's hosted service), so requests waiting for a batch are answered, not dropped.
/// </summary>
internal sealed partial class ShutdownDrain(
    IOptions<ShutdownOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<ShutdownDrain> logger,
    TimeProvider? time = null) : IHostedLifecycleService
{
    private readonly ShutdownOptions _options = options.Value;
    private volatile bool _draining;

    /// <summary>True from the moment the host was told to stop.</summary>
    public bool IsDraining => _draining;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        // ApplicationStopping fires from the signal handler itself, before the host's stop sequence starts.
        lifetime.ApplicationStopping.Register(() => _draining = true);
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        if (_options.Drain <= TimeSpan.Zero)
        {
            return;
        }
        LogDraining(logger, _options.Drain.TotalSeconds, _options.RequestTimeout.TotalSeconds);
        try
        {
            await Task.Delay(_options.Drain, time ?? TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out first; stopping goes on.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "stopping: not ready, serving for {DrainSeconds} s more, then up to {TimeoutSeconds} s for requests in flight")]
    private static partial void LogDraining(ILogger logger, double drainSeconds, double timeoutSeconds);
}
