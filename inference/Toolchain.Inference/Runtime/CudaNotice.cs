using Toolchain.Contracts;
namespace Toolchain.Inference.Runtime;

/// <summary>
/// Whether to say that <see cref="ExecutionProvider.Auto"/> fell back to the CPU. On a host without an NVIDIA device the
/// fallback is the expected path, so saying it on every command is noise; on a GPU host it means something is missing,
/// and once per process is enough (<c>infer info</c> always reports it).
/// </summary>
internal static class CudaNotice
{
    private static int _told;

    /// <summary>True once per process, and only where an NVIDIA device node exists.</summary>
    public static bool ShouldTell() => ShouldTell(GpuPresent.Value, ref _told);

    /// <summary>The rule, apart from the process's state: a device is present and nobody has been told yet.</summary>
    internal static bool ShouldTell(bool gpuPresent, ref int told) => gpuPresent && Interlocked.Exchange(ref told, 1) == 0;

    /// <summary>Whether this host has an NVIDIA device node.</summary>
    internal static bool HasNvidiaDevice => GpuPresent.Value;

    private static readonly Lazy<bool> GpuPresent = new(() =>
    {
        try
        {
            return Directory.Exists("/dev") && Directory.EnumerateFileSystemEntries("/dev", "nvidia*").Any();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    });
}
