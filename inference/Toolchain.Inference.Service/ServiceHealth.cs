using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Toolchain.Inference.Hosting;

namespace Toolchain.Inference.Service;

/// <summary>
/// Liveness on /healthz (no checks: 200 while the process answers) and readiness on /readyz (200 once the model is
/// loaded, else 503 with the reason), as ASP.NET Core health checks with one-line plain-text bodies.
/// </summary>
internal static class ServiceHealth
{
    private const string ReadinessTag = "ready";

    public static IServiceCollection AddServiceHealth(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<ModelLoadedCheck>("model", tags: [ReadinessTag]);
        return services;
    }

    public static void MapServiceHealth(this WebApplication app)
    {
        // Scripts and people read these bodies (load/loadtest.sh waits for /readyz), so they stay one short line.
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = (context, _) => WriteAsync(context, "ok") })
            .WithMetadata(GetAndHead());
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadinessTag),
            ResponseWriter = (context, report) => WriteAsync(context, report.Status == HealthStatus.Unhealthy ? $"not ready: {Reasons(report)}" : "ready"),
        }).WithMetadata(GetAndHead());
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

    /// <summary>Healthy once the classifier has a model; otherwise the last load failure, or that it is still loading.</summary>
    private sealed class ModelLoadedCheck(OnnxClassifier classifier) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(classifier.GetStatus() is { IsReady: false } status
                ? HealthCheckResult.Unhealthy(status.LastFailure ?? "loading the model")
                : HealthCheckResult.Healthy());
    }
}
