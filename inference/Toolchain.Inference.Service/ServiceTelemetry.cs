using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Toolchain.Inference.Hosting;

namespace Toolchain.Inference.Service;

/// <summary>
/// The service's metrics, all from library instruments exported by OpenTelemetry as Prometheus text on
/// <see cref="Path"/>: ASP.NET Core's requests by method, route template and status code, Kestrel's connections, the
/// inference library's batches and model state (<see cref="InferenceMetrics"/>), and the resident memory.
/// </summary>
internal static class ServiceTelemetry
{
    /// <summary>Where Prometheus scrapes.</summary>
    public const string Path = "/metrics";

    private const string ServiceName = "Toolchain.Inference.Service";
    private const string HostingMeter = "Microsoft.AspNetCore.Hosting";
    private const string KestrelMeter = "Microsoft.AspNetCore.Server.Kestrel";
    private const string RuntimeMeter = "System.Runtime";
    private const string RequestDuration = "http.server.request.duration";
    private const string WorkingSet = "dotnet.process.memory.working_set";

    // ASP.NET Core's advice starts at 5 ms, slower than most requests here take, so its histogram would say nothing.
    private static readonly double[] LatencyBounds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    // Requests by what the service did. url.scheme and network.protocol.version are the same for nearly every request,
    // and aspnetcore.request.is_unhandled repeats what a missing http.route says; each would only lengthen every line.
    private static readonly string[] RequestTags = ["http.request.method", "http.route", "http.response.status_code", "error.type"];

    // Connections by protocol and how they failed. The listener's address, port, transport and IP version are the scrape
    // target's own, which Prometheus already labels every series with (instance).
    private static readonly string[] ConnectionTags = ["network.protocol.name", "network.protocol.version", "tls.protocol.version", "error.type"];

    public static IServiceCollection AddServiceTelemetry(this IServiceCollection services)
    {
        services.AddOpenTelemetry()
            // Named for target_info; a generated instance id would make a new target_info series at every start.
            .ConfigureResource(resource => resource.AddService(ServiceName, autoGenerateServiceInstanceId: false))
            .WithMetrics(metrics => metrics
                .AddMeter(HostingMeter, KestrelMeter, RuntimeMeter, InferenceMetrics.MeterName, InferenceMetrics.BatchingMeterName)
                .AddPrometheusExporter(prometheus =>
                {
                    // A client reading /metrics right after its request must see it counted; a scrape is cheap at this size.
                    prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                    // Every metric name here belongs to one meter, so the otel_scope_* labels on each series say nothing.
                    prometheus.ScopeInfoEnabled = false;
                }));
        services.ConfigureOpenTelemetryMeterProvider((provider, metrics) =>
            metrics.AddView(StreamFor(provider.GetRequiredService<IMeterFactory>())));
        return services;
    }

    /// <summary>Serves the scrape on GET and HEAD only, as the other read-only endpoints.</summary>
    public static IEndpointConventionBuilder MapServiceTelemetry(this WebApplication app) =>
        app.MapPrometheusScrapingEndpoint(Path).WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));

    /// <summary>
    /// One view for every instrument, since OpenTelemetry makes a stream for each view that matches. Only meters that
    /// this host's <see cref="IMeterFactory"/> made are exported: meters of the same names made elsewhere in the
    /// process (another host's, a classifier built without a container; tests run several at once) would mix their
    /// counts in. Of the runtime's process-wide meter only the resident memory is kept: its other instruments
    /// (collections by generation, exceptions by type, ...) appear as those things first happen, so /metrics would keep
    /// growing after startup.
    /// </summary>
    private static Func<Instrument, MetricStreamConfiguration?> StreamFor(IMeterFactory hostFactory) => instrument =>
        instrument.Meter.Name == RuntimeMeter ? (instrument.Name == WorkingSet ? null : MetricStreamConfiguration.Drop)
        : !ReferenceEquals(instrument.Meter.Scope, hostFactory) ? MetricStreamConfiguration.Drop
        : instrument.Meter.Name == HostingMeter && instrument.Name == RequestDuration
            ? new ExplicitBucketHistogramConfiguration { Boundaries = LatencyBounds, TagKeys = RequestTags }
        : instrument.Meter.Name == KestrelMeter ? new MetricStreamConfiguration { TagKeys = ConnectionTags }
        : null;
}
