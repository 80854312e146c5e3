using Toolchain.Contracts;
using Toolchain.Trainer.Training;
using TorchSharp;

namespace Toolchain.Trainer.Tests.Training;

public class DeviceSelectorTests
{
    [Fact]
    public void Auto_picks_the_cpu_when_cuda_is_unavailable_and_cuda_when_it_is()
    {
        Assert.Equal(DeviceType.CPU, DeviceSelector.Choose("auto", cudaAvailable: false));
        Assert.Equal(DeviceType.CUDA, DeviceSelector.Choose("auto", cudaAvailable: true));
        Assert.Equal(DeviceType.CPU, DeviceSelector.Choose("cpu", cudaAvailable: true));
    }

    [Fact]
    public void Cuda_without_cuda_fails_with_one_line_saying_how_to_build_for_it()
    {
        var e = Assert.Throws<ToolchainException>(() => DeviceSelector.Choose("cuda", cudaAvailable: false));
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal("cpu", DeviceSelector.BuildBackend);
        Assert.Contains("make train TORCH=cuda", e.Message);
        Assert.Contains("-p:TorchBackend=cuda", e.Message);
    }

    [Fact]
    public void An_unknown_device_is_refused()
    {
        var e = Assert.Throws<ToolchainException>(() => DeviceSelector.Resolve("tpu"));
        Assert.All(["--device", "'tpu'", "auto, cpu, cuda"], fact => Assert.Contains(fact, e.Message));
    }
}
