using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Toolchain.Contracts;

namespace Toolchain.Inference.Runtime;

/// <summary>
/// The one place ONNX Runtime sessions are made, for <see cref="OnnxModel"/> and for programs that run a graph raw
/// (an exporter verifying what it wrote, a quantizer measuring what it changed): the requested provider, falling back
/// to the CPU when <see cref="ExecutionProvider.Auto"/> allows, the options' threads, spinning and optimisation level,
/// and ONNX Runtime's log kept off stderr.
/// </summary>
public static partial class SessionFactory
{
    /// <summary>
    /// Creates a session for the ONNX file at <paramref name="path"/> and returns it (the caller disposes it) with the
    /// provider actually in use. A file ONNX Runtime cannot load fails with <see cref="InvalidInputFileException"/>
    /// naming it; CUDA required but unavailable with <see cref="ToolchainException"/>.
    /// </summary>
    public static (InferenceSession Session, ExecutionProvider Provider) Create(string path, OnnxModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        OrtProcessLogging.EnsureCreated();
        var logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<OnnxModel>();
        if (options.Provider != ExecutionProvider.Cpu)
        {
            var cudaOptions = NewOptions(options);
            try
            {
                if (TryAppendCuda(cudaOptions, out var reason))
                {
                    try
                    {
                        return (new InferenceSession(path, cudaOptions), ExecutionProvider.Cuda);
                    }
                    catch (OnnxRuntimeException e) when (options.Provider == ExecutionProvider.Auto)
                    {
                        // The file may be at fault rather than CUDA; the CPU attempt below tells which.
                        LogCudaSessionFailed(logger, OrtErrorText.FirstLine(e));
                    }
                    catch (OnnxRuntimeException e)
                    {
                        throw new ToolchainException($"CUDA was requested but the CUDA session could not start: {OrtErrorText.FirstLine(e)}", e);
                    }
                }
                else if (options.Provider == ExecutionProvider.Cuda)
                {
                    throw new ToolchainException($"CUDA was requested but is not available: {reason}");
                }
                else if (CudaNotice.ShouldTell())
                {
                    LogCudaUnavailable(logger, reason);
                }
            }
            finally
            {
                cudaOptions.Dispose();
            }
        }

        using var cpuOptions = NewOptions(options);
        try
        {
            return (new InferenceSession(path, cpuOptions), ExecutionProvider.Cpu);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidInputFileException(path, $"ONNX Runtime cannot load it: {OrtErrorText.FirstLine(e)}", e);
        }
    }

    /// <summary>Appends CUDA device 0; false with ORT's first error line when the provider cannot start.</summary>
    internal static bool TryAppendCuda(SessionOptions options, out string reason)
    {
        // A failed provider load is also logged by ORT; the routed environment keeps that off stderr, and the exception
        // carries the same reason.
        OrtProcessLogging.EnsureCreated();
        try
        {
            options.AppendExecutionProvider_CUDA(0);
            reason = "";
            return true;
        }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
        {
            reason = CudaReason(OrtErrorText.FirstLine(e));
            if (reason.Contains("Failed to load shared library", StringComparison.Ordinal) && MissingDependency() is { } missing)
            {
                reason = missing;
            }
            return false;
        }
    }

    /// <summary>
    /// ORT's message names the provider library's full path before the cause; the cause (e.g. "libcublasLt.so.13:
    /// cannot open shared object file") is what the user acts on.
    /// </summary>
    private static string CudaReason(string line)
    {
        const string marker = "with error: ";
        var at = line.IndexOf(marker, StringComparison.Ordinal);
        return at >= 0 ? line[(at + marker.Length)..] : line;
    }

    /// <summary>
    /// ORT's exception only says the CUDA provider library failed to load; the dynamic loader's reason (typically a
    /// missing libcublasLt or libcudnn) went to the muted logger. Loading the library ourselves recovers it.
    /// </summary>
    private static string? MissingDependency()
    {
        const string library = "libonnxruntime_providers_cuda.so";
        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", library),
            Path.Combine(AppContext.BaseDirectory, library),
        ];
        foreach (var candidate in candidates)
        {
            if (!File.Exists(candidate))
            {
                continue;
            }
            try
            {
                System.Runtime.InteropServices.NativeLibrary.Free(System.Runtime.InteropServices.NativeLibrary.Load(candidate));
                return null;
            }
            catch (DllNotFoundException e)
            {
                var lines = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                return lines.Length > 0 ? $"{lines[^1]} (needed by {library})" : null;
            }
        }
        return $"{library} is not installed next to the application";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "CUDA session could not start ({Reason}); using CPU")]
    private static partial void LogCudaSessionFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CUDA not available ({Reason}); using CPU")]
    private static partial void LogCudaUnavailable(ILogger logger, string reason);

    private static SessionOptions NewOptions(OnnxModelOptions options)
    {
        var so = new SessionOptions
        {
            GraphOptimizationLevel = options.OptimizationLevel switch
            {
                GraphOptimization.None => GraphOptimizationLevel.ORT_DISABLE_ALL,
                GraphOptimization.Basic => GraphOptimizationLevel.ORT_ENABLE_BASIC,
                GraphOptimization.Extended => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                _ => GraphOptimizationLevel.ORT_ENABLE_ALL,
            },
            // One graph of small ops: parallelism belongs inside each kernel, not between nodes.
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = Math.Max(0, options.IntraOpThreads),
            InterOpNumThreads = 1,
            // ORT's own logger writes multi-line warnings to stderr; failures reach the user through exceptions.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        if (!options.AllowSpinning)
        {
            so.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        }
        return so;
    }
}
