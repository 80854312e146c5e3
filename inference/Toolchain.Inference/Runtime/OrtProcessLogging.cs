using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Toolchain.Inference.Runtime;

/// <summary>
/// ONNX Runtime's process-wide log, routed through a callback instead of ORT's own stderr writer. Left to itself, ORT
/// writes coloured lines with source paths to stderr (e.g. "[E:onnxruntime:, inference_session.cc:...]" before a model
/// whose initializers disagree with their dims fails to load), which breaks one-line-per-problem output; and the reasons
/// it logs also reach the caller through the exception. The environment belongs to the process: the library creates
/// it, routed, before its first session unless the host created one first. Lines are dropped unless a host routes them
/// (<see cref="RouteTo(ILoggerFactory)"/>): AddOnnxClassifier sends them to the container's logging at Debug level.
/// </summary>
internal static partial class OrtProcessLogging
{
    // Native code holds this delegate for the life of the process: it must never be collected.
    private static readonly DOrtLoggingFunction Callback = Forward;
    private static readonly Lock Gate = new();
    private static volatile Action<string>? _sink;

    /// <summary>
    /// Sends ONNX Runtime's log lines (warnings and worse) to <paramref name="sink"/>; null drops them. Creates the
    /// routed environment unless one exists; when the host created its own first, that one keeps its own logging.
    /// </summary>
    public static void RouteTo(Action<string>? sink)
    {
        _sink = sink;
        EnsureCreated();
    }

    /// <summary>
    /// Sends ONNX Runtime's lines to <paramref name="loggerFactory"/>'s category <c>OnnxRuntime</c> at Debug level: the
    /// reasons they give (a replacement model that cannot load, say) already reach the host through exceptions and the
    /// classifier's own log.
    /// </summary>
    public static void RouteTo(ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger("OnnxRuntime");
        RouteTo(line => LogLine(logger, line));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "ONNX Runtime: {Line}")]
    private static partial void LogLine(ILogger logger, string line);

    /// <summary>Creates the routed environment unless one exists. Called before every session is made.</summary>
    internal static void EnsureCreated()
    {
        if (OrtEnv.IsCreated)
        {
            return;
        }
        lock (Gate)
        {
            if (OrtEnv.IsCreated)
            {
                return;
            }
            var options = new EnvironmentCreationOptions
            {
                logId = "toolchain",
                logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING,
                loggingFunction = Callback,
            };
            OrtEnv.CreateInstanceWithOptions(ref options);
        }
    }

    private static void Forward(IntPtr param, OrtLoggingLevel severity, string category, string logId, string codeLocation, string message)
    {
        try
        {
            _sink?.Invoke(message);
        }
        catch (Exception)
        {
            // An exception must never unwind into native code; a sink that fails loses the line, nothing more.
        }
    }
}
