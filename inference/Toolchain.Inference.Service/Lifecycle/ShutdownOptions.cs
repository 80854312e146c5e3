namespace Toolchain.Inference.Service.Lifecycle;

/// <summary>
/// How the service stops on SIGTERM (configuration section <c>Shutdown</c>): it turns not-ready at once, keeps serving
/// for <see cref="Drain"/> so that load balancers and Kubernetes endpoints notice and send no more, then stops taking
/// connections and gives the requests it has (queued for a batch included) up to <see cref="RequestTimeout"/> to finish.
/// </summary>
internal sealed class ShutdownOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Shutdown";

    /// <summary>
    /// Default drain: long enough for a few failed readiness probes at a 1–2 s period (HAProxy's and Kubernetes'
    /// usual settings) to take the replica out of rotation before the listener closes.
    /// </summary>
    public static readonly TimeSpan DefaultDrain = TimeSpan.FromSeconds(5);

    /// <summary>Default time for in-flight requests after the drain; a classify request takes milliseconds.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long the service keeps serving, not ready, after SIGTERM.</summary>
    public TimeSpan Drain { get; set; } = DefaultDrain;

    /// <summary>How long requests still running when the drain ends may take before they are aborted.</summary>
    public TimeSpan RequestTimeout { get; set; } = DefaultRequestTimeout;

    /// <summary>The longest a stop can take: what a supervisor's grace period (Kubernetes' terminationGracePeriodSeconds) must exceed.</summary>
    public TimeSpan Total => Drain + RequestTimeout;

    /// <summary>The first problem with these settings, or null.</summary>
    public string? Problem() =>
        Drain < TimeSpan.Zero || RequestTimeout < TimeSpan.Zero
            ? $"Shutdown:Drain and Shutdown:RequestTimeout must not be negative (got {Drain} and {RequestTimeout})"
            : null;
}
