using Toolchain.Contracts;
using Toolchain.Inference.Hosting;

namespace Toolchain.Inference.Service.Tests.Hosting;

/// <summary>Options every hosted test classifier shares: CPU, one thread, and reloads only when a test asks for one.</summary>
internal static class QuietClassifierOptions
{
    public static void Apply(OnnxClassifierOptions o)
    {
        o.Provider = ExecutionProvider.Cpu;
        o.IntraOpThreads = 1;
        o.Reload.UseFileWatcher = false;
        o.Reload.PollInterval = TimeSpan.FromHours(1);
    }
}
