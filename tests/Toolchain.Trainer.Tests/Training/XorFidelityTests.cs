using Toolchain.Trainer.Training;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Tests.Training;

[Collection(TorchRandomState.Name)]
public class XorFidelityTests
{
    // Final parameters of the notebook's run in PyTorch 1.13 (Debian python3-torch): np.random.seed(0) data,
    // torch.manual_seed(0), Linear(2,2) Sigmoid Linear(2,1) Sigmoid .double(), SGD lr 0.5, MSE, 200 epochs of
    // torch.randperm(400) in batches of 25. Final training MSE 0.0072312779921025515.
    private static readonly Dictionary<string, double[]> PyTorchFinal = new()
    {
        ["0.weight"] = [3.7207288902822078, 3.714450013468373, -5.665946877866309, -5.734647807236551],
        ["0.bias"] = [-5.691090805036984, 2.3576249441771173],
        ["2.weight"] = [7.281039839158893, 7.215641428374157],
        ["2.bias"] = [-3.6377084114939056],
    };

    private static (TrainingOutcome Outcome, TrainingData Data) Train(TrainingOptions options, string outDir)
    {
        var (data, resolved) = TrainingDataLoader.Load("xor", options.DataSeed, "/nowhere", null, null, CPU, null);
        int threads = get_num_threads();
        set_num_threads(1); // as the CLI does for xor: thread hand-offs only slow 2×2 layers down
        try
        {
            return (ModelTrainer.Run(options, data, CPU, outDir, resolved, null, new RecordingObserver(), CancellationToken.None), data);
        }
        finally
        {
            set_num_threads(threads);
        }
    }

    [Fact]
    public void The_xor_net_starts_from_the_notebooks_hidden_weights_under_seed_0()
    {
        var (data, _) = TrainingDataLoader.Load("xor", 0, "/nowhere", null, null, CPU, null);
        using (data)
        {
            var options = ModelPresets.Default(BuiltInModel.Xor);
            using var run = TrainingRun.Create(options, data, Trainer.Models.ArchitectureSpec.Parse(options.Architecture), CPU, 0);
            var w = TrainingFixtures.Weights(run)["0.weight"];
            Assert.Equal(new[] { -0.005293981172144413, 0.37932288646698, -0.5819807648658752, -0.5203874707221985 }, w);
            Assert.Equal(ScalarType.Float64, run.Model.parameters().First().dtype);
        }
    }

    [Fact]
    public void Training_xor_with_the_notebook_settings_ends_at_100_percent_with_PyTorchs_weights_to_1e_9()
    {
        using var dir = new TempDir();
        var (outcome, data) = Train(ModelPresets.Default(BuiltInModel.Xor), dir.Path);
        using (data)
        using (var run = outcome.Run)
        {
            var weights = TrainingFixtures.Weights(run);
            foreach (var (name, expected) in PyTorchFinal)
            {
                Assert.Equal(expected.Length, weights[name].Length);
                for (int i = 0; i < expected.Length; i++)
                {
                    Assert.True(Math.Abs(expected[i] - weights[name][i]) <= 1e-9, $"{name}[{i}]: PyTorch {expected[i]:R}, ours {weights[name][i]:R}");
                }
            }
            var (loss, accuracy) = run.Evaluate(data.TrainX, data.TrainY);
            Assert.Equal(1.0, accuracy);
            Assert.Equal(0.0072312779921025515, loss, 1e-12);
            Assert.Equal(200, run.CompletedEpochs);
            Assert.Equal(201, run.History.Count);
        }
    }

    [Fact]
    public void A_restart_that_classifies_every_point_beats_a_lower_loss_that_misses_one()
    {
        Assert.True(ModelTrainer.IsBetter(1.0, 0.009, 0.9975, 0.005));
        Assert.False(ModelTrainer.IsBetter(0.9975, 0.005, 1.0, 0.009));
        Assert.True(ModelTrainer.IsBetter(1.0, 0.005, 1.0, 0.009));
    }

    [Fact]
    public void Seed_2_stalls_alone_as_in_PyTorch_but_reaches_100_percent_with_5_restarts()
    {
        using var dir = new TempDir();
        var plain = ModelPresets.Default(BuiltInModel.Xor) with { Seed = 2 };
        var (alone, data) = Train(plain, dir.Path);
        using (data)
        using (alone.Run)
        {
            // PyTorch 1.13 ends seed 2 at 50.25% training accuracy. A stalled net leaves many outputs near 0.5, where
            // the last bits of a BLAS kernel can flip a point, so the exact count is not the claim: the stall is.
            Assert.InRange(alone.Trials[0].TrainAccuracy, 0.45, 0.8);
        }
        var (restarted, data2) = Train(plain with { Restarts = 5 }, dir.Path);
        using (data2)
        using (restarted.Run)
        {
            Assert.Equal([2L, 12, 22, 32, 42], restarted.Trials.Select(t => t.Seed));
            var perfect = restarted.Trials.Where(t => t.TrainAccuracy == 1.0).ToList();
            Assert.NotEmpty(perfect);
            Assert.Equal(perfect.Min(t => t.TrainLoss), restarted.Trials.Single(t => t.Seed == restarted.Run.InitSeed).TrainLoss);
            Assert.Equal(1.0, restarted.Run.Evaluate(data2.TrainX, data2.TrainY).Accuracy);
            Assert.Equal(restarted.Run.InitSeed, Checkpoint.Read(Path.Combine(dir.Path, Checkpoint.FileName)).InitSeed);
        }
    }
}
