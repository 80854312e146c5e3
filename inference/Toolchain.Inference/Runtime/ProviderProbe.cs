using Microsoft.ML.OnnxRuntime;
using Toolchain.Contracts;

namespace Toolchain.Inference.Runtime;

/// <summary>Whether one execution provider can actually start on this machine.</summary>
public sealed record ProviderStatus
{
    /// <summary>The provider.</summary>
    public required ExecutionProvider Provider { get; init; }

    /// <summary>True when a session could use it.</summary>
    public required bool Works { get; init; }

    /// <summary>Why it does not work (ONNX Runtime's first error line), or what it is when it does.</summary>
    public required string Detail { get; init; }
}

/// <summary>
/// Finds out which execution providers work here. ONNX Runtime's list of available providers names CUDA whenever
/// the GPU package is installed, so it proves nothing; the probe appends each provider to real session options.
/// </summary>
public static class ProviderProbe
{
    /// <summary>Probes CUDA and the CPU, in that order.</summary>
    public static IReadOnlyList<ProviderStatus> Probe()
    {
        var cudaWorks = TryAppendCuda(out var reason);
        var cuda = new ProviderStatus
        {
            Provider = ExecutionProvider.Cuda,
            Works = cudaWorks,
            Detail = cudaWorks ? "CUDA execution provider, device 0" : reason,
        };
        var cpu = new ProviderStatus
        {
            Provider = ExecutionProvider.Cpu,
            Works = true,
            Detail = $"ONNX Runtime {OrtEnv.Instance().GetVersionString()}, {Environment.ProcessorCount} logical cores",
        };
        return [cuda, cpu];
    }

    /// <summary>True when appending CUDA to fresh session options succeeds; otherwise the one-line reason.</summary>
    internal static bool TryAppendCuda(out string reason)
    {
        using var options = new SessionOptions();
        return SessionFactory.TryAppendCuda(options, out reason);
    }
}
