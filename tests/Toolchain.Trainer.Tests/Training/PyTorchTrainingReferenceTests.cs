using Toolchain.Trainer.Training;

namespace Toolchain.Trainer.Tests.Training;

public class PyTorchTrainingReferenceTests
{
    [Fact]
    public void A_comparable_training_run_gets_the_line_make_bench_printed()
    {
        // The figures, not the wording: our rate, the ratio to PyTorch's, PyTorch's rate, the goal and the accuracy.
        var mlp = PyTorchTrainingReference.Compare(BuiltInModel.Mlp, "fashion-mnist", threads: 2, batchSize: 64, samplesPerSecond: 10_000, testAccuracy: 0.8835);
        Assert.All(["mlp fashion-mnist", "10000 samples/s", "4.00x", "2500/s", "goal 4x", "88.35%"], fact => Assert.Contains(fact, mlp));
        var cnn = PyTorchTrainingReference.Compare(BuiltInModel.Cnn, "fashion-mnist", threads: 2, batchSize: 64, samplesPerSecond: 3015.2, testAccuracy: 0.9205);
        Assert.All(["cnn fashion-mnist", "3015 samples/s", "3.63x", "830/s", "goal 2x", "92.05%"], fact => Assert.Contains(fact, cnn));
    }

    [Theory]
    [InlineData(BuiltInModel.Xor, "fashion-mnist", 2, 64)]
    [InlineData(BuiltInModel.Mlp, "mnist", 2, 64)]
    [InlineData(BuiltInModel.Mlp, "fashion-mnist", 1, 64)]
    [InlineData(BuiltInModel.Cnn, "fashion-mnist", 2, 128)]
    public void A_run_set_up_unlike_PyTorchs_is_not_compared(BuiltInModel model, string dataset, int threads, int batchSize)
    {
        Assert.Null(PyTorchTrainingReference.Compare(model, dataset, threads, batchSize, samplesPerSecond: 5000, testAccuracy: 0.9));
    }
}
