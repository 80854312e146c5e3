namespace Toolchain.Contracts;

/// <summary>Where ONNX Runtime runs a model.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(ContractJsonConverter<ExecutionProvider>))]
public enum ExecutionProvider
{
    /// <summary>CUDA when it can start, else the CPU (saying why where a GPU is present).</summary>
    Auto,

    /// <summary>The CPU only; CUDA is never tried.</summary>
    Cpu,

    /// <summary>CUDA only; loading fails with the reason when it cannot start.</summary>
    Cuda,
}
