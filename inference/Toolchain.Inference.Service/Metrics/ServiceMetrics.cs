using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Toolchain.Inference.Batching;
using Toolchain.Inference.Hosting;

namespace Toolchain.Inference.Service.Metrics;

/// <summary>
/// The service's counters: requests by route and status, request latency, and (from the batcher's meter) batch sizes,
/// batch run times and queue rejections; rendered for GET /metrics.
/// </summary>
internal sealed class ServiceMetrics : IDisposable
{
    private static readonly double[] LatencyBounds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
    private static readonly double[] BatchSizeBounds = [1, 2, 4, 8, 16, 32, 64, 128, 256];

    private readonly ConcurrentDictionary<(string Route, string Method, int Status), RequestCount> _requests = new();
    private readonly ConcurrentDictionary<string, Histogram> _latency = new();
    private readonly Histogram _batchSizes = new(BatchSizeBounds);
    private readonly Histogram _batchSeconds = new(LatencyBounds);
    private readonly MeterListener _listener = new();
    private long _rejections;
    private OnnxClassifier? _classifier;

    /// <summary>
    /// Counts one request. Every label comes from a bounded set, whatever the client sends: the route template (or
    /// "unmatched"), a known HTTP method or "_OTHER" (OpenTelemetry's HTTP conventions), and the status code. A raw
    /// method or path as a label lets each client request create a series that lives forever.
    /// </summary>
    public void RecordRequest(string route, string method, int status, TimeSpan elapsed)
    {
        method = KnownMethod(method);
        Interlocked.Increment(ref _requests.GetOrAdd((route, method, status), _ => new RequestCount()).Value);
        _latency.GetOrAdd(route, _ => new Histogram(LatencyBounds)).Observe(elapsed.TotalSeconds);
    }

    /// <summary>Starts listening to <paramref name="classifier"/>'s batcher and reading its model state.</summary>
    public void Observe(OnnxClassifier classifier)
    {
        _classifier = classifier;
        if (classifier.Batcher is not { } batcher)
        {
            return;
        }
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, batcher.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
        {
            if (instrument.Name == "toolchain.inference.batch.size")
            {
                _batchSizes.Observe(value);
            }
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            if (instrument.Name == "toolchain.inference.batch.duration")
            {
                _batchSeconds.Observe(value);
            }
        });
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "toolchain.inference.queue.rejections")
            {
                Interlocked.Add(ref _rejections, value);
            }
        });
        _listener.Start();
    }

    public string Render()
    {
        var text = new PrometheusText();
        text.Family("toolchain_http_requests_total", "counter", "HTTP requests by route, method and status code.");
        foreach (var ((route, method, status), count) in _requests.OrderBy(r => r.Key))
        {
            text.Sample("toolchain_http_requests_total", Volatile.Read(ref count.Value),
                ("route", route), ("method", method), ("status", status.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        text.Family("toolchain_http_request_duration_seconds", "histogram", "Time from request start to response, by route.");
        foreach (var (route, histogram) in _latency.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            text.Histogram("toolchain_http_request_duration_seconds", histogram, ("route", route));
        }
        text.Family("toolchain_inference_batch_size", "histogram", "Requests per batched model run.")
            .Histogram("toolchain_inference_batch_size", _batchSizes);
        text.Family("toolchain_inference_batch_duration_seconds", "histogram", "Time of one batched model run.")
            .Histogram("toolchain_inference_batch_duration_seconds", _batchSeconds);
        text.Family("toolchain_inference_queue_rejections_total", "counter", "Requests refused with 429 because the batching queue was full.")
            .Sample("toolchain_inference_queue_rejections_total", Interlocked.Read(ref _rejections));
        text.Family("toolchain_inference_queue_length", "gauge", "Requests admitted to the batching queue and not yet answered.")
            .Sample("toolchain_inference_queue_length", _classifier?.Batcher?.QueueLength ?? 0);
        if (_classifier is { } classifier)
        {
            var models = classifier.Models;
            text.Family("toolchain_model_ready", "gauge", "1 once a model is loaded.")
                .Sample("toolchain_model_ready", models.IsReady ? 1 : 0);
            if (models.Version is { } version)
            {
                text.Family("toolchain_model_info", "gauge", "The serving model's version (SHA-256 prefix) and generation.")
                    .Sample("toolchain_model_info", 1, ("version", version.Id), ("generation", version.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
            text.Family("toolchain_model_reloads_total", "counter", "Successful hot reloads of the model file.")
                .Sample("toolchain_model_reloads_total", models.ReloadCount);
            text.Family("toolchain_model_reload_failures_total", "counter", "Changed model files that could not be loaded (the old model kept serving).")
                .Sample("toolchain_model_reload_failures_total", models.FailedReloadCount);
            text.Family("toolchain_model_sessions", "gauge", "ONNX Runtime sessions alive: the current model plus old ones still draining.")
                .Sample("toolchain_model_sessions", models.LiveModelCount);
        }
        using var process = Process.GetCurrentProcess();
        text.Family("process_resident_memory_bytes", "gauge", "Resident set size.")
            .Sample("process_resident_memory_bytes", process.WorkingSet64);
        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private static string KnownMethod(string method) => method switch
    {
        "GET" or "HEAD" or "POST" or "PUT" or "DELETE" or "OPTIONS" or "PATCH" or "TRACE" or "CONNECT" => method,
        _ => "_OTHER",
    };

    private sealed class RequestCount
    {
        public long Value;
    }
}
