using Microsoft.Extensions.Logging;
using Toolchain.Contracts;
using Toolchain.Inference.Hosting;
using Toolchain.Inference.Runtime;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Tests.Hosting;

/// <summary>The host loads with integrity verification on, so a corrupted file never serves.</summary>
public sealed class ReloadingModelHostIntegrityTests : IDisposable
{
    // The top exponent bit of w[0]: 1/28 becomes about 1e37, and every image lit at its first pixel becomes class 0.
    private const long ExponentBit = 30;

    private readonly TempFolder _dir = new();
    private readonly string _path;

    public ReloadingModelHostIntegrityTests() => _path = _dir.File("model.onnx");

    public void Dispose() => _dir.Dispose();

    // File notifications off: each test drives the checks itself with CheckForChange.
    private ReloadingModelHost NewHost(CapturingLogger? logger = null) => new(_path,
        new OnnxModelOptions { Provider = ExecutionProvider.Cpu, IntraOpThreads = 1 },
        new ModelReloadOptions { UseFileWatcher = false, PollInterval = TimeSpan.FromHours(1) },
        logger);

    private static void Corrupt(string path) => ModelCorruption.FlipInitializerBit(path, "w", ExponentBit);

    private static string LabelOf(ModelLease lease, int label) => lease.Model.Classify(LabelledTinyModels.Input(label), 1)[0].LabelName;

    [Fact]
    public async Task A_corrupted_replacement_is_refused_and_logged_and_the_old_model_keeps_serving()
    {
        LabelledTinyModels.Write(_path, "a", withIntegrity: true);
        var logger = new CapturingLogger();
        using var host = NewHost(logger);
        await host.StartAsync();
        var before = host.Version;

        LabelledTinyModels.Replace(_path, "b", withIntegrity: true, damage: Corrupt);

        Assert.False(host.CheckForChange());
        Assert.Equal(before, host.Version);
        Assert.Equal(1, host.FailedReloadCount);
        Assert.Equal(0, host.ReloadCount);
        var failure = Assert.IsType<string>(host.LastFailure);
        Assert.StartsWith($"{_path}: ", failure);
        Assert.Contains("integrity", failure);
        Assert.DoesNotContain('\n', failure);
        var warning = Assert.Single(logger.Lines, l => l.Level == LogLevel.Warning);
        Assert.Contains("fails its integrity check", warning.Message);
        using var lease = host.Acquire();
        Assert.Equal("a5", LabelOf(lease, 5));

        // An intact file after the corrupted one is taken.
        LabelledTinyModels.Replace(_path, "c", withIntegrity: true);
        Assert.True(host.CheckForChange());
        using var later = host.Acquire();
        Assert.Equal("c5", LabelOf(later, 5));
    }

    [Fact]
    public async Task A_corrupted_first_model_leaves_the_host_not_ready_with_the_reason()
    {
        LabelledTinyModels.Write(_path, "a", withIntegrity: true);
        Corrupt(_path);
        using var host = NewHost();

        await host.StartAsync();

        Assert.False(host.IsReady);
        var e = Assert.Throws<ModelNotReadyException>(() => host.Acquire());
        Assert.Contains($"{_path}: fails its integrity check", e.Message);
    }

    [Fact]
    public async Task With_verification_off_the_host_serves_a_corrupted_model()
    {
        LabelledTinyModels.Write(_path, "a", withIntegrity: true);
        Corrupt(_path);
        using var host = new ReloadingModelHost(_path,
            new OnnxModelOptions { Provider = ExecutionProvider.Cpu, IntraOpThreads = 1, VerifyIntegrity = false },
            new ModelReloadOptions { Enabled = false });

        await host.StartAsync();

        using var lease = host.Acquire();
        Assert.Equal(IntegrityStatus.NotChecked, lease.Model.Info.Integrity.Status);
        // Every pixel lit, so w[0] ≈ 1e37 outweighs the band that should win.
        Assert.Equal("a0", lease.Model.Classify(TinyOnnxModels.ImageForClass(5, on: 1, off: 1), 1)[0].LabelName);
    }
}
