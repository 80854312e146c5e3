using System.Reflection;
using Toolchain.Contracts;
using TorchSharp;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Training;

/// <summary>Turns <c>--device auto|cpu|cuda</c> into a torch device, explaining what a CPU-only build can't do.</summary>
public static class DeviceSelector
{
    /// <summary>The libtorch backend this trainer was built against ("cpu" or "cuda").</summary>
    public static string BuildBackend { get; } =
        typeof(DeviceSelector).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "TorchBackend")?.Value ?? "cpu";

    /// <summary>
    /// Resolves <paramref name="requested"/>: <c>auto</c> picks CUDA when TorchSharp sees it, else the CPU;
    /// <c>cuda</c> fails with one line when CUDA is unavailable.
    /// </summary>
    public static Device Resolve(string requested) => new(Choose(requested));

    /// <summary>The device type <see cref="Resolve"/> picks; <paramref name="cudaAvailable"/> overrides detection (tests).</summary>
    public static DeviceType Choose(string requested, bool? cudaAvailable = null)
    {
        bool cuda = cudaAvailable ?? SafeCudaAvailable();
        return requested switch
        {
            "auto" => cuda ? DeviceType.CUDA : DeviceType.CPU,
            "cpu" => DeviceType.CPU,
            "cuda" when cuda => DeviceType.CUDA,
            "cuda" => throw new ToolchainException(BuildBackend == "cuda"
                ? "--device cuda: this trainer is built for CUDA but TorchSharp sees no usable GPU (check the NVIDIA driver and CUDA_VISIBLE_DEVICES), or use --device cpu"
                : "--device cuda: this trainer is built with the CPU-only libtorch; build for CUDA with 'make train TORCH=cuda' (dotnet build -p:TorchBackend=cuda) on a machine with an NVIDIA GPU, or use --device cpu"),
            _ => throw new ToolchainException($"--device: unknown device '{requested}' (known: auto, cpu, cuda)"),
        };
    }

    private static bool SafeCudaAvailable()
    {
        try
        {
            return torch.cuda.is_available();
        }
        catch (Exception e) when (e is DllNotFoundException or NotSupportedException or InvalidOperationException)
        {
            return false;
        }
    }
}
