using System.Text.Json.Serialization;

namespace Toolchain.Contracts;

/// <summary>Where ONNX Runtime runs a model.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ExecutionProvider>))]
public enum ExecutionProvider
{
    /// <summary>CUDA when it can start, else the CPU (saying why where a GPU is present).</summary>
    [JsonStringEnumMemberName("auto")]
    Auto,

    /// <summary>The CPU only; CUDA is never tried.</summary>
    [JsonStringEnumMemberName("cpu")]
    Cpu,

    /// <summary>CUDA only; loading fails with the reason when it cannot start.</summary>
    [JsonStringEnumMemberName("cuda")]
    Cuda,
}
