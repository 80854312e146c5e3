using Toolchain.Contracts;
using Toolchain.Trainer.Training;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Tests.Training;

[Collection(TorchRandomState.Name)]
public class ResumeTests
{
    private static Dictionary<string, double[]> TrainStraight(TrainingOptions options, string dir)
    {
        using var data = TrainingFixtures.TinyImageData();
        var outcome = ModelTrainer.Run(options, data, CPU, dir, "quadrants", null, new RecordingObserver(), CancellationToken.None);
        using var run = outcome.Run;
        Assert.False(outcome.Interrupted);
        return TrainingFixtures.Weights(run);
    }

    private static Dictionary<string, double[]> Resume(TrainingOptions options, string dir)
    {
        using var data = TrainingFixtures.TinyImageData();
        var checkpoint = Checkpoint.Read(Path.Combine(dir, Checkpoint.FileName));
        // Scramble the generator, as a new process would have it: resume must restore it from the checkpoint.
        manual_seed(12345);
        var outcome = ModelTrainer.Run(options, data, CPU, dir, "quadrants", checkpoint, new RecordingObserver(), CancellationToken.None);
        using var run = outcome.Run;
        Assert.False(outcome.Interrupted);
        Assert.Equal(options.Epochs, run.CompletedEpochs);
        Assert.Equal(Enumerable.Range(0, options.Epochs + 1), run.History.Select(h => h.Epoch));
        return TrainingFixtures.Weights(run);
    }

    [Fact]
    public void Two_epochs_in_one_go_give_the_same_weights_as_one_epoch_then_a_resumed_second()
    {
        using var straight = new TempDir();
        using var split = new TempDir();
        // A constant rate: a schedule spans the epochs planned at the start, so --epochs 1 then 2 would change it.
        var options = TrainingFixtures.TinyImageOptions(epochs: 2) with { LrSchedule = LearningRateDecay.None };
        var expected = TrainStraight(options, straight.Path);

        TrainStraight(options with { Epochs = 1 }, split.Path);
        var resumed = Resume(options, split.Path);

        Assert.Equal(expected.Keys, resumed.Keys);
        foreach (var name in expected.Keys)
        {
            Assert.Equal(expected[name], resumed[name]);
        }
    }

    [Fact]
    public void A_scheduled_run_stopped_after_its_first_epoch_resumes_to_the_same_weights()
    {
        using var straight = new TempDir();
        using var split = new TempDir();
        var options = TrainingFixtures.TinyImageOptions(epochs: 2);
        Assert.Equal(LearningRateDecay.WarmupCosine, options.LrSchedule);
        var expected = TrainStraight(options, straight.Path);

        using (var data = TrainingFixtures.TinyImageData())
        using (var cancel = new CancellationTokenSource())
        {
            var outcome = ModelTrainer.Run(options, data, CPU, split.Path, "quadrants", null, new RecordingObserver(cancel, batches: 6), cancel.Token);
            using var run = outcome.Run;
            Assert.True(outcome.Interrupted);
            Assert.Equal(1, run.CompletedEpochs);
        }
        var resumed = Resume(options, split.Path);

        foreach (var name in expected.Keys)
        {
            Assert.Equal(expected[name], resumed[name]);
        }
    }

    [Fact]
    public void A_run_stopped_mid_epoch_resumes_to_the_same_weights_as_an_uninterrupted_one()
    {
        using var straight = new TempDir();
        using var split = new TempDir();
        var options = TrainingFixtures.TinyImageOptions(epochs: 2);
        var expected = TrainStraight(options, straight.Path);

        using (var data = TrainingFixtures.TinyImageData())
        using (var cancel = new CancellationTokenSource())
        {
            // 6 batches per epoch: stop after the 4th batch of epoch 1.
            var outcome = ModelTrainer.Run(options, data, CPU, split.Path, "quadrants", null, new RecordingObserver(cancel, batches: 4), cancel.Token);
            using var run = outcome.Run;
            Assert.True(outcome.Interrupted);
            Assert.Equal(0, run.CompletedEpochs);
            Assert.Equal(4, run.Cursor!.NextBatch);
        }
        var resumed = Resume(options, split.Path);

        foreach (var name in expected.Keys)
        {
            Assert.Equal(expected[name], resumed[name]);
        }
    }

    [Fact]
    public void A_cancelled_run_leaves_a_checkpoint_that_loads_for_export()
    {
        using var dir = new TempDir();
        var options = TrainingFixtures.TinyImageOptions(epochs: 3);
        using var data = TrainingFixtures.TinyImageData();
        using var cancel = new CancellationTokenSource();
        var outcome = ModelTrainer.Run(options, data, CPU, dir.Path, "quadrants", null, new RecordingObserver(cancel, batches: 8), cancel.Token);
        var expected = TrainingFixtures.Weights(outcome.Run);
        outcome.Run.Dispose();

        var loaded = Checkpoint.Load(Path.Combine(dir.Path, Checkpoint.FileName));
        using var model = loaded.Model;
        Assert.Equal(1, loaded.Epoch);
        Assert.Equal("quadrants", loaded.DatasetSpec);
        Assert.Equal([1L, 8, 8], loaded.InputShape);
        Assert.Equal(["a", "b", "c", "d"], loaded.Card.Labels);
        Assert.Equal(ModelTask.Multiclass, loaded.Card.Task);
        Assert.False(model.training);
        foreach (var (name, p) in model.named_parameters())
        {
            using var d = p.detach().to(float64).flatten();
            Assert.Equal(expected[name], d.data<double>().ToArray());
        }
    }

    [Fact]
    public void A_file_that_is_not_a_checkpoint_is_refused_with_its_path()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "bogus.ckpt");
        File.WriteAllText(path, "not a checkpoint");
        var e = Assert.Throws<Contracts.InvalidInputFileException>(() => Checkpoint.Load(path));
        Assert.Equal(path, e.FilePath);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("not a trainer checkpoint", e.Problem);
    }

    [Fact]
    public void A_truncated_checkpoint_is_refused_with_its_path()
    {
        using var dir = new TempDir();
        TrainStraight(TrainingFixtures.TinyImageOptions(epochs: 1), dir.Path);
        var path = Path.Combine(dir.Path, Checkpoint.FileName);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<Contracts.InvalidInputFileException>(() => Checkpoint.Load(path));
        Assert.Equal(path, e.FilePath);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("truncated", e.Problem);
    }
}
