namespace Toolchain.Inference.Runtime;

/// <summary>Which ONNX Runtime execution provider a model runs on.</summary>
public enum ExecutionProvider
{
    /// <summary>Try CUDA; when it cannot start, log one line with the reason and use the CPU.</summary>
    Auto,
    /// <summary>The CPU only; CUDA is never tried.</summary>
    Cpu,
    /// <summary>CUDA only; loading fails with the reason when it cannot start.</summary>
    Cuda,
}
