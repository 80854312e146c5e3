using Toolchain.Inference.Quantization.Qdq;

namespace Toolchain.Inference.Quantization.Tests.Qdq;

public sealed class QuantParamsTests
{
    [Theory]
    [InlineData(true, 0)]
    [InlineData(false, -128)]
    public void AnActivationRangeFromZeroGetsTheLowestLevelAsZeroPointSoQuantizingIsTheRelu(bool unsigned, int zeroPoint)
    {
        var p = QuantParams.Activation(0f, 2.55f, unsigned);

        Assert.Equal(0.01f, p.Scale, 6);
        Assert.Equal(zeroPoint, p.ZeroPoint);
        Assert.Equal(unsigned, p.Unsigned);
    }

    [Fact]
    public void ARangeIsWidenedToHoldZeroAndItsZeroPointRounded()
    {
        // [1, 3] becomes [0, 3]; [-0.51, 2.04] spans 2.55 at 0.01 a step, 0 being 51 steps above the lowest level.
        Assert.Equal(-128, QuantParams.Activation(1f, 3f, unsigned: false).ZeroPoint);
        Assert.Equal(3f / 255, QuantParams.Activation(1f, 3f, unsigned: false).Scale, 6);
        Assert.Equal(-77, QuantParams.Activation(-0.51f, 2.04f, unsigned: false).ZeroPoint);
        Assert.Equal(51, QuantParams.Activation(-0.51f, 2.04f, unsigned: true).ZeroPoint);
        Assert.Equal(127, QuantParams.Activation(-5f, 0f, unsigned: false).ZeroPoint);
        Assert.Equal(255, QuantParams.Activation(-5f, 0f, unsigned: true).ZeroPoint);
    }

    [Fact]
    public void ADegenerateRangeGetsScaleOne()
    {
        Assert.Equal(new QuantParams(1f, 0, true), QuantParams.Activation(0f, 0f, unsigned: true));
        Assert.Equal(new QuantParams(1f, 0, false), QuantParams.Activation(float.NaN, float.NaN, unsigned: false));
    }

    [Fact]
    public void WeightsAreSymmetricPerOutputChannel()
    {
        // Two output channels (axis 0) of 3 values each: scales max|w| / 127, values in [-127, 127].
        float[] w = [0.5f, -1.27f, 0.01f, 2f, 0f, -0.5f];

        var (values, scales) = QuantParams.PerChannel(w, [2, 3], axis: 0);

        Assert.Equal([0.01f, 2f / 127], scales);
        Assert.Equal(new sbyte[] { 50, -127, 1, 127, 0, -32 }, values);
    }

    [Fact]
    public void PerChannelAlongTheLastAxisIsPerColumn()
    {
        // A [K=2, N=2] MatMul weight: column scales.
        float[] w = [1.5f, 0.05f, -2f, 0.2f];

        var (values, scales) = QuantParams.PerChannel(w, [2, 2], axis: 1);

        Assert.Equal([2f / 127, 0.2f / 127], scales);
        Assert.Equal(new sbyte[] { 95, 32, -127, 127 }, values);
    }

    [Fact]
    public void AZeroChannelGetsScaleOneAndZeros()
    {
        var (values, scales) = QuantParams.PerChannel([0f, 0f], [1, 2], axis: 0);

        Assert.Equal([1f], scales);
        Assert.All(values, v => Assert.Equal(0, v));
    }

    [Fact]
    public void TheBiasIsInt32AtScaleInputTimesWeight()
    {
        var (values, scales) = QuantParams.Bias([0.5f, -0.25f], inputScale: 0.1f, weightScales: [0.01f, 0.05f]);

        Assert.Equal([0.1f * 0.01f, 0.1f * 0.05f], scales);
        Assert.Equal([500, -50], values);
    }
}
