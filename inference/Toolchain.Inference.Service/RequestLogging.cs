using System.Diagnostics;

namespace Toolchain.Inference.Service;

/// <summary>One structured log line per request; request metrics are ASP.NET Core's own (see <see cref="ServiceTelemetry"/>).</summary>
internal sealed partial class RequestLogging(RequestDelegate next, ILogger<RequestLogging> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            var status = context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted ? 499 : context.Response.StatusCode;
            LogRequest(logger, Bounded(context.Request.Method, 16), Bounded(context.Request.Path.Value ?? "", 256), status, elapsed.TotalMilliseconds,
                context.Request.ContentLength ?? 0);
        }
    }

    /// <summary>A client's method or path, cut so one request cannot write a 4,000-character log line.</summary>
    private static string Bounded(string text, int length) => text.Length <= length ? text : string.Concat(text.AsSpan(0, length), "…");

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "{Method} {Path} {StatusCode} {ElapsedMs:0.000} ms ({RequestBytes} bytes in)")]
    private static partial void LogRequest(ILogger logger, string method, string path, int statusCode, double elapsedMs, long requestBytes);
}
