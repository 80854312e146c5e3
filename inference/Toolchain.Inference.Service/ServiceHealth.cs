using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Toolchain.Inference.Hosting;
using Toolchain.Inference.Service.Lifecycle;
using Toolchain.Inference.Service.Serving;

namespace Toolchain.Inference.Service;

/// <summary>
/// Liveness on /healthz (no checks: 200 while the process answers) and readiness on /readyz (200 once the model is
/// loaded and the service is not shutting down, else 503 with the reason), as ASP.NET Core health checks with one-line
/// plain-text bodies; the same checks answer the Open Inference Protocol's <see cref="LivePath"/> and
/// <see cref="ReadyPath"/> (200, or 400 for false, with the protocol's <c>{"live": true}</c> / <c>{"ready": false}</c>
/// bodies: Triton's client reads the status, KServe's the body), the gRPC ServerReady and grpc.health.v1.
/// </summary>
internal static class ServiceHealth
{
    /// <summary>Open Inference Protocol (KServe v2) liveness: what Kubernetes' livenessProbe and the image's HEALTHCHECK ask.</summary>
    public const string LivePath = "/v2/health/live";

    /// <summary>Open Inference Protocol (KServe v2) readiness: what Kubernetes' readinessProbe and a load balancer's health check ask.</summary>
    public const string ReadyPath = "/v2/health/ready";

    /// <summary>Plain liveness, with a one-line body.</summary>
    public const string HealthzPath = "/healthz";

    /// <summary>Plain readiness, with the reason when not ready.</summary>
    public const string ReadyzPath = "/readyz";

    /// <summary>The tag of the checks readiness runs.</summary>
    public const string ReadinessTag = "ready";

    /// <summary>
    /// The tag of the one liveness check, healthy while the process answers: HTTP liveness runs no check at all, but
    /// grpc.health.v1 answers UNKNOWN for a service with no check behind it.
    /// </summary>
    public const string LivenessTag = "live";

    public static IServiceCollection AddServiceHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<ModelLoadedCheck>("model", tags: [ReadinessTag])
            .AddCheck<NotStoppingCheck>("stopping", tags: [ReadinessTag])
            .AddCheck("process", () => HealthCheckResult.Healthy(), tags: [LivenessTag]);
        // grpc.health.v1.Health on the same readiness checks as /v2/health/ready (Kubernetes' gRPC probe asks service
        // ""), and "live" on none, as /v2/health/live: SERVING while the process answers.
        services.AddGrpcHealthChecks(options =>
        {
            options.Services.Clear();
            options.Services.Map("", check => check.Tags.Contains(ReadinessTag));
            options.Services.Map(InferenceService, check => check.Tags.Contains(ReadinessTag));
            options.Services.Map(LiveService, check => check.Tags.Contains(LivenessTag));
        });
        return services;
    }

    /// <summary>The grpc.health.v1 service name that answers liveness (every other name answers readiness).</summary>
    public const string LiveService = "live";

    /// <summary>The Open Inference Protocol's gRPC service, whose health is readiness.</summary>
    public const string InferenceService = "inference.GRPCInferenceService";

    public static void MapServiceHealth(this WebApplication app)
    {
        app.MapGrpcHealthChecksService();
        // Scripts and people read these bodies (load/loadtest.sh waits for /readyz), so they stay one short line.
        app.MapHealthChecks(HealthzPath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = (context, _) => WriteAsync(context, "ok") })
            .WithMetadata(GetAndHead());
        app.MapHealthChecks(ReadyzPath, new HealthCheckOptions
        {
            Predicate = IsReadinessCheck,
            ResponseWriter = (context, report) => WriteAsync(context, report.Status == HealthStatus.Unhealthy ? $"not ready: {Reasons(report)}" : "ready"),
        }).WithMetadata(GetAndHead());
        // The protocol says false is a 4xx with an empty body (Triton answers 400); the reason is on /readyz.
        var protocolStatus = new Dictionary<HealthStatus, int>
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = StatusCodes.Status200OK,
            [HealthStatus.Unhealthy] = StatusCodes.Status400BadRequest,
        };
        app.MapHealthChecks(LivePath, new HealthCheckOptions
        {
            Predicate = _ => false,
            ResultStatusCodes = protocolStatus,
            ResponseWriter = (context, report) => ProtocolAnswerAsync(context, "live", report),
        }).WithMetadata(GetAndHead());
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions
        {
            Predicate = IsReadinessCheck,
            ResultStatusCodes = protocolStatus,
            ResponseWriter = (context, report) => ProtocolAnswerAsync(context, "ready", report),
        }).WithMetadata(GetAndHead());
    }

    private static bool IsReadinessCheck(HealthCheckRegistration check) => check.Tags.Contains(ReadinessTag);

    /// <summary>
    /// The protocol's body, <c>{"live": true}</c> or <c>{"ready": false}</c>; the status code pages middleware must not
    /// turn the 400 into a problem document.
    /// </summary>
    private static Task ProtocolAnswerAsync(HttpContext context, string property, HealthReport report)
    {
        if (context.Features.Get<IStatusCodePagesFeature>() is { } pages)
        {
            pages.Enabled = false;
        }
        var value = report.Status == HealthStatus.Unhealthy ? "false" : "true";
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync($"{{\"{property}\":{value}}}");
    }

    private static HttpMethodMetadata GetAndHead() => new([HttpMethods.Get, HttpMethods.Head]);

    private static Task WriteAsync(HttpContext context, string line)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(line + "\n");
    }

    private static string Reasons(HealthReport report) => string.Join("; ", report.Entries.Values
        .Where(entry => entry.Status == HealthStatus.Unhealthy)
        .Select(entry => entry.Description ?? entry.Exception?.Message ?? "check failed"));

    /// <summary>Unhealthy from the moment the service was told to stop, so that traffic moves elsewhere while it drains.</summary>
    private sealed class NotStoppingCheck(ShutdownDrain drain) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(drain.IsDraining ? HealthCheckResult.Unhealthy("shutting down") : HealthCheckResult.Healthy());
    }

    /// <summary>
    /// Healthy once every served model is loaded; otherwise, per model not ready, its last load failure or that it is
    /// still loading. One check for all of them, so /readyz, /v2/health/ready and a load balancer agree.
    /// </summary>
    private sealed class ModelLoadedCheck(ServedModels models, IServiceProvider services) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var notReady = models.All
                .Select(m => (m.Name, Status: services.GetRequiredKeyedService<OnnxClassifier>(m.Key).GetStatus()))
                .Where(m => !m.Status.IsReady)
                .Select(m => (models.All.Count == 1 ? "" : m.Name + ": ") + (m.Status.LastFailure ?? "loading the model"))
                .ToList();
            return Task.FromResult(notReady.Count == 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(string.Join("; ", notReady)));
        }
    }
}
