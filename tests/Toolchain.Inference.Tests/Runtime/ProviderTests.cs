using Toolchain.Contracts;
using Toolchain.Inference.Runtime;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Tests.Runtime;

/// <summary>These tests assume a host without a usable GPU, as the CI and development machines are.</summary>
public sealed class ProviderTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static bool CudaWorks => ProviderProbe.TryAppendCuda(out _);

    [NoCudaFact]
    public void Requesting_CUDA_on_a_host_without_it_fails_with_one_line_giving_the_reason()
    {
        var path = TinyOnnxModels.WriteImageClassifier(_dir.File("m.onnx"));

        var e = Assert.Throws<ToolchainException>(() => OnnxModel.Load(path, new OnnxModelOptions { Provider = ExecutionProvider.Cuda }));

        Assert.StartsWith("CUDA was requested but is not available: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(e.Message.Length > "CUDA was requested but is not available: ".Length + 5, e.Message);
        // ORT itself only says "Failed to load shared library"; the user needs the loader's reason (the missing library).
        Assert.DoesNotContain("Failed to load shared library", e.Message);
    }

    [NoCudaFact]
    public void Auto_falls_back_to_the_CPU_and_says_so_only_where_an_NVIDIA_device_exists()
    {
        var path = TinyOnnxModels.WriteImageClassifier(_dir.File("m.onnx"));
        var log = new CapturingLoggerFactory();

        using var model = OnnxModel.Load(path, new OnnxModelOptions { Provider = ExecutionProvider.Auto, LoggerFactory = log });

        Assert.Equal(ExecutionProvider.Cpu, model.ActiveProvider);
        Assert.Equal(3, model.Classify(TinyOnnxModels.ImageForClass(3), 1)[0].Label);
        if (!CudaNotice.HasNvidiaDevice)
        {
            Assert.Empty(log.Lines);
        }
        foreach (var (category, level, line) in log.Lines)
        {
            Assert.Equal(typeof(OnnxModel).FullName, category);
            Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, level);
            Assert.StartsWith("CUDA not available (", line);
            Assert.EndsWith("); using CPU", line);
            Assert.DoesNotContain('\n', line);
        }
    }

    [Fact]
    public void The_CPU_fallback_is_told_once_per_process_and_never_without_a_device()
    {
        var told = 0;
        Assert.False(CudaNotice.ShouldTell(gpuPresent: false, ref told));
        Assert.True(CudaNotice.ShouldTell(gpuPresent: true, ref told));
        Assert.False(CudaNotice.ShouldTell(gpuPresent: true, ref told));
    }

    [Fact]
    public void Cpu_never_tries_CUDA_so_it_logs_nothing()
    {
        var log = new CapturingLoggerFactory();

        using var model = OnnxModel.Load(TinyOnnxModels.WriteImageClassifier(_dir.File("m.onnx")),
            new OnnxModelOptions { Provider = ExecutionProvider.Cpu, LoggerFactory = log });

        Assert.Equal(ExecutionProvider.Cpu, model.ActiveProvider);
        Assert.Empty(log.Lines);
    }

    [Fact]
    public void The_probe_reports_CUDA_with_its_reason_and_the_CPU_as_working()
    {
        var statuses = ProviderProbe.Probe();

        Assert.Equal([ExecutionProvider.Cuda, ExecutionProvider.Cpu], statuses.Select(s => s.Provider));
        Assert.True(statuses[1].Works);
        Assert.Equal(CudaWorks, statuses[0].Works);
        Assert.False(string.IsNullOrWhiteSpace(statuses[0].Detail));
    }
}

/// <summary>A fact that only means something where CUDA cannot start; skipped on GPU hosts.</summary>
public sealed class NoCudaFactAttribute : FactAttribute
{
    public NoCudaFactAttribute()
    {
        if (ProviderProbe.TryAppendCuda(out _))
        {
            Skip = "this host has a working CUDA provider";
        }
    }
}
