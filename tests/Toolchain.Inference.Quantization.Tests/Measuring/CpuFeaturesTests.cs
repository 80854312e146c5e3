using Toolchain.Contracts;
using Toolchain.Inference.Quantization.Measuring;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Quantization.Tests.Measuring;

public sealed class CpuFeaturesTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private CpuFeatures Parse(string flags)
    {
        var path = _dir.File("cpuinfo");
        File.WriteAllText(path, $"processor\t: 0\nmodel name\t: Test CPU 9000\nflags\t\t: fpu sse2 {flags}\n\nprocessor\t: 1\nmodel name\t: Other\nflags\t\t: avx512_vnni\n");
        return CpuFeatures.Read(path);
    }

    [Fact]
    public void VnniIsNamedAndCountsAsAnInt8DotProduct()
    {
        var cpu = Parse("avx2 avx512f avx512bw avx512_vnni");

        Assert.Equal("Test CPU 9000", cpu.Model);
        Assert.True(cpu.HasInt8DotProduct);
        Assert.Equal("avx512_vnni", cpu.Int8Instructions);
        Assert.Equal(["avx512_vnni", "avx512bw", "avx512f", "avx2"], cpu.Flags);
        Assert.Null(SpeedVerdict.Warning(cpu));
    }

    [Fact]
    public void ACpuWithoutVnniOrAmxIsWarnedAbout()
    {
        // The second processor's flags are not read: the first entry describes the machine.
        var cpu = Parse("avx2 avx512f avx512bw");

        Assert.False(cpu.HasInt8DotProduct);
        Assert.Contains("no VNNI or AMX", SpeedVerdict.Warning(cpu));
        var verdict = SpeedVerdict.For(QuantizationFormat.Int8Qdq, new BatchComparison(64, new([100.0]), new([95.0])), cpu);
        Assert.Contains("not faster", verdict);
        Assert.Contains("no VNNI or AMX", verdict);
    }

    [Fact]
    public void AmxAndAvxVnniAreInt8DotProductsToo()
    {
        Assert.True(Parse("avx2 amx_int8").HasInt8DotProduct);
        Assert.True(Parse("avx2 avx_vnni").HasInt8DotProduct);
    }

    [Fact]
    public void AMissingCpuinfoDescribesTheArchitecture()
    {
        var cpu = CpuFeatures.Read(_dir.File("absent"));

        Assert.Empty(cpu.Flags);
        Assert.False(string.IsNullOrEmpty(cpu.Model));
    }

    [Fact]
    public void TheSpeedupIsTheMedianOfThePerRoundRatios()
    {
        // Rounds drift together: the ratios (2, 1.5, 3) are steadier than the medians of each side.
        var comparison = new BatchComparison(1, new([100.0, 200.0, 50.0]), new([200.0, 300.0, 150.0]));

        Assert.Equal(2.0, comparison.Speedup);
        Assert.Equal((1.5, 3.0), comparison.SpeedupRange);
        Assert.Equal(100.0, comparison.Baseline.Median);
    }
}
