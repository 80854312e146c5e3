using Microsoft.ML.OnnxRuntime;

namespace Toolchain.Inference.Runtime;

/// <summary>
/// ONNX Runtime's process-wide environment, created to log errors only. At its default (warning) level ONNX Runtime
/// writes a coloured line to stderr whenever it cannot persist its telemetry id (an unwritable home folder, as for
/// service accounts), which breaks one-line-per-problem output. The environment belongs to the process, so only an
/// entry point (a CLI or a service's startup) should call this, before any model is loaded; the library never does.
/// </summary>
public static class OrtProcessLogging
{
    /// <summary>Creates the environment at error level unless it already exists; later calls do nothing.</summary>
    public static void UseErrorsOnly()
    {
        if (OrtEnv.IsCreated)
        {
            return;
        }
        var options = new EnvironmentCreationOptions { logLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        OrtEnv.CreateInstanceWithOptions(ref options);
    }
}
