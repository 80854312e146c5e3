using Microsoft.ML.OnnxRuntime;
using Toolchain.Contracts;

namespace Toolchain.Inference.Runtime;

/// <summary>Whether one execution provider can actually start on this machine.</summary>
/// <param name="Provider">The provider.</param>
/// <param name="Works">True when a session could use it.</param>
/// <param name="Detail">Why it does not work (ONNX Runtime's first error line), or what it is when it does.</param>
public sealed record ProviderStatus(ExecutionProvider Provider, bool Works, string Detail);

/// <summary>
/// Finds out which execution providers work here. ONNX Runtime's list of available providers names CUDA whenever
/// the GPU package is installed, so it proves nothing; the probe appends each provider to real session options.
/// </summary>
public static class ProviderProbe
{
    /// <summary>Probes CUDA and the CPU, in that order.</summary>
    public static IReadOnlyList<ProviderStatus> Probe()
    {
        var cuda = TryAppendCuda(out var reason)
            ? new ProviderStatus(ExecutionProvider.Cuda, true, "CUDA execution provider, device 0")
            : new ProviderStatus(ExecutionProvider.Cuda, false, reason);
        var cpu = new ProviderStatus(ExecutionProvider.Cpu, true,
            $"ONNX Runtime {OrtEnv.Instance().GetVersionString()}, {Environment.ProcessorCount} logical cores");
        return [cuda, cpu];
    }

    /// <summary>True when appending CUDA to fresh session options succeeds; otherwise the one-line reason.</summary>
    public static bool TryAppendCuda(out string reason)
    {
        using var options = new SessionOptions();
        return SessionFactory.TryAppendCuda(options, out reason);
    }
}
