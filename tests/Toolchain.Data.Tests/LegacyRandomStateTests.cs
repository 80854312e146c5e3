using Toolchain.Data;

namespace Toolchain.Data.Tests;

public sealed class LegacyRandomStateTests
{
    [Fact]
    public void Seed_zero_gives_numpys_first_raw_output_and_uniform_draw()
    {
        // np.random.seed(0); np.random.randint(2**32, dtype=np.uint64) -> 2357136044 ; np.random.seed(0); np.random.rand() -> 0.5488135039273248
        Assert.Equal(2357136044u, new LegacyRandomState(0).NextUInt32());
        Assert.Equal(0.5488135039273248, new LegacyRandomState(0).NextDouble());
    }

    [Fact]
    public void Seed_zero_gives_numpys_standard_normals_including_the_cached_second_value()
    {
        // np.random.seed(0); np.random.standard_normal(3)
        var random = new LegacyRandomState(0);

        Assert.Equal(1.764052345967664, random.NextGaussian());
        Assert.Equal(0.4001572083672233, random.NextGaussian());
        Assert.Equal(0.9787379841057392, random.NextGaussian());
    }
}
