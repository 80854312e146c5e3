using Toolchain.Inference.Hosting;

namespace Toolchain.Inference.Tests.Hosting;

public sealed class OnnxClassifierOptionsTests
{
    [Theory]
    [InlineData(false, 2, 2, 1)]
    [InlineData(false, 16, 2, 1)]
    [InlineData(true, 1, 2, 1)]
    [InlineData(true, 2, 2, 1)]
    [InlineData(true, 16, 2, 4)]
    [InlineData(true, 16, 1, 8)]
    [InlineData(true, 16, 8, 1)]
    public void Unset_threads_are_one_per_request_unbatched_and_half_the_cores_over_the_instances_batched(bool batching, int cores, int instances, int expected)
    {
        var options = new OnnxClassifierOptions { ModelPath = "m.onnx" };
        options.Batching.Enabled = batching;
        options.Batching.Instances = instances;

        Assert.Equal(expected, options.ThreadsFor(cores));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Threads_set_by_the_user_are_used_as_given(bool batching)
    {
        var options = new OnnxClassifierOptions { ModelPath = "m.onnx", IntraOpThreads = 3 };
        options.Batching.Enabled = batching;

        Assert.Equal(3, options.ThreadsFor(16));
    }
}
