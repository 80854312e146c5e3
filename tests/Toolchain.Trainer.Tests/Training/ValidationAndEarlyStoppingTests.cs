using Toolchain.Contracts;
using Toolchain.Trainer.Cli;
using Toolchain.Trainer.Training;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Tests.Training;

[Collection(TorchRandomState.Name)]
public class ValidationAndEarlyStoppingTests
{
    private static long[] Labels(Tensor y) => y.cpu().data<long>().ToArray();

    private static float[] Rows(Tensor x) => x.cpu().flatten().data<float>().ToArray();

    [Fact]
    public void Validation_is_carved_per_class_from_train_the_same_for_the_same_seed_and_another_for_another()
    {
        using var a = TrainingFixtures.TinyImageData();
        using var b = TrainingFixtures.TinyImageData();
        using var c = TrainingFixtures.TinyImageData();
        double before = a.TrainX.sum().item<float>();

        a.CarveValidation(0.25, seed: 3);
        b.CarveValidation(0.25, seed: 3);
        c.CarveValidation(0.25, seed: 4);

        Assert.Equal((72, 24, 32), (a.TrainCount, a.ValidationCount, a.TestCount));
        Assert.Equal([6, 6, 6, 6], Labels(a.ValidationY!).GroupBy(l => l).OrderBy(g => g.Key).Select(g => g.Count()));
        Assert.Equal([18, 18, 18, 18], Labels(a.TrainY).GroupBy(l => l).OrderBy(g => g.Key).Select(g => g.Count()));
        // Moved, not copied: the pixels of both parts add up to the whole training split's.
        Assert.Equal(before, (double)a.TrainX.sum().item<float>() + a.ValidationX!.sum().item<float>(), 1);
        Assert.Equal(Rows(a.ValidationX), Rows(b.ValidationX!));
        Assert.NotEqual(Rows(a.ValidationX), Rows(c.ValidationX!));
    }

    [Fact]
    public void A_class_with_one_example_keeps_it_for_training_and_no_rows_to_spare_is_one_line()
    {
        var one = TrainingFixtures.Quadrants(train: 4, test: 4);
        using var data = TrainingData.FromImages(one, null, null, CPU);

        var e = Assert.Throws<ToolchainException>(() => data.CarveValidation(0.1, 0));

        Assert.Contains("too few training examples per class", e.Message, StringComparison.Ordinal);
        Assert.Equal(4, data.TrainCount);
    }

    /// <summary>Quadrant images whose training labels are shuffled: a net can only memorise them, so validation loss rises.</summary>
    private static TrainingData NoisyData()
    {
        var q = TrainingFixtures.Quadrants(train: 160);
        var labels = q.Train.Labels.ToArray();
        new Random(5).Shuffle(labels);
        return TrainingData.FromImages(q with { Train = q.Train with { Labels = labels } }, null, null, CPU);
    }

    private static TrainingOptions Overfitting(int epochs, int patience) => TrainingFixtures.TinyImageOptions(epochs) with
    {
        Architecture = "flatten linear(128) relu linear(4)",
        LearningRate = 0.01,
        AugmentShift = 0,
        LrSchedule = LearningRateDecay.None,
        ValidationFraction = 0.25,
        Patience = patience,
    };

    [Fact]
    public void Patience_stops_training_and_brings_back_the_best_epochs_weights_which_the_checkpoint_keeps()
    {
        using var dir = new TempDir();
        using var data = NoisyData();
        var options = Overfitting(epochs: 60, patience: 3);
        data.CarveValidation(options.ValidationFraction, options.SplitSeed);

        var outcome = ModelTrainer.Run(options, data, CPU, dir.Path, "noisy", null, new RecordingObserver(), CancellationToken.None);
        using var run = outcome.Run;

        var trained = run.History.Where(r => r.Epoch > 0).ToList();
        int best = trained.MinBy(r => r.ValidationLoss!.Value)!.Epoch;
        Assert.True(run.StoppedEarly && run.RestoredBest);
        Assert.Equal(best, run.BestEpoch);
        Assert.Equal(best + 3, run.CompletedEpochs);
        Assert.True(run.CompletedEpochs < 60);
        Assert.Equal(best, run.Final.Epoch);
        // The model now holds epoch `best`'s weights: it scores exactly what that epoch scored, not what the last did.
        var (loss, _) = run.Evaluate(data.ValidationX!, data.ValidationY!);
        Assert.Equal(run.History[best].ValidationLoss!.Value, loss, 6);
        Assert.True(run.History[^1].ValidationLoss > loss);

        var checkpoint = Checkpoint.Read(Path.Combine(dir.Path, Checkpoint.FileName));
        Assert.Equal((best, true, true), (checkpoint.BestEpoch, checkpoint.StoppedEarly, checkpoint.RestoredBest));
        Assert.Equal(best.ToString(System.Globalization.CultureInfo.InvariantCulture), checkpoint.Card.Hyperparameters["weights_from_epoch"]);
        using var restored = TrainingRun.Restore(checkpoint, options, data, CPU);
        Assert.Equal(TrainingFixtures.Weights(run), TrainingFixtures.Weights(restored));
        Assert.Equal(best, restored.Final.Epoch);
    }

    [Fact]
    public void A_run_stopped_mid_way_resumes_to_the_same_early_stop_and_weights()
    {
        using var straight = new TempDir();
        using var split = new TempDir();
        var options = Overfitting(epochs: 60, patience: 3);
        Dictionary<string, double[]> Straight()
        {
            using var data = NoisyData();
            data.CarveValidation(options.ValidationFraction, options.SplitSeed);
            using var run = ModelTrainer.Run(options, data, CPU, straight.Path, "noisy", null, new RecordingObserver(), CancellationToken.None).Run;
            return TrainingFixtures.Weights(run);
        }
        var expected = Straight();

        using (var data = NoisyData())
        {
            data.CarveValidation(options.ValidationFraction, options.SplitSeed);
            using var cancel = new CancellationTokenSource();
            // 120 rows at 16 a batch: stop in the middle of epoch 3, after the best weights may have been kept.
            var first = ModelTrainer.Run(options, data, CPU, split.Path, "noisy", null, new RecordingObserver(cancel, batches: 20), cancel.Token);
            first.Run.Dispose();
            Assert.True(first.Interrupted);
        }
        using (var data = NoisyData())
        {
            data.CarveValidation(options.ValidationFraction, options.SplitSeed);
            manual_seed(999);
            var checkpoint = Checkpoint.Read(Path.Combine(split.Path, Checkpoint.FileName));
            using var resumed = ModelTrainer.Run(options, data, CPU, split.Path, "noisy", checkpoint, new RecordingObserver(), CancellationToken.None).Run;
            Assert.True(resumed.StoppedEarly);
            Assert.Equal(expected, TrainingFixtures.Weights(resumed));
        }
    }

    [Fact]
    public void Without_patience_the_last_epochs_weights_stay_and_validation_is_still_recorded()
    {
        using var dir = new TempDir();
        using var data = NoisyData();
        var options = Overfitting(epochs: 4, patience: 0);
        data.CarveValidation(options.ValidationFraction, options.SplitSeed);

        using var run = ModelTrainer.Run(options, data, CPU, dir.Path, "noisy", null, new RecordingObserver(), CancellationToken.None).Run;

        Assert.False(run.RestoredBest);
        Assert.Equal(4, run.Final.Epoch);
        Assert.All(run.History, r => Assert.NotNull(r.ValidationLoss));
        Assert.NotNull(run.BestEpoch);
    }

    [Fact]
    public void The_cli_writes_validation_columns_into_history_and_the_recipe_into_the_card()
    {
        using var dir = new TempDir();
        var data = TrainingFixtures.WriteQuadrantsFolder(Path.Combine(dir.Path, "data"));
        var outDir = Path.Combine(dir.Path, "out");
        var output = new StringWriter();
        var error = new StringWriter();

        int code = TrainCommand.Run(["mlp", "--dataset", data, "--epochs", "3", "--validation", "0.25", "--patience", "2", "--no-export", "--out", outDir], output, error, CancellationToken.None);

        Assert.True(code == 0, error.ToString());
        Assert.Matches(@"epoch 1/3  train loss [0-9.]+ acc [0-9.]+%  val loss [0-9.]+ acc [0-9.]+%  test loss", output.ToString());
        var history = File.ReadAllLines(Path.Combine(outDir, "history.csv"));
        Assert.Equal(TrainingHistory.Header, history[0]);
        Assert.EndsWith(",val_loss,val_acc", history[0], StringComparison.Ordinal);
        Assert.Equal(4, history.Length - 1);
        Assert.All(history.Skip(1), row =>
        {
            var cells = row.Split(',');
            Assert.Equal(10, cells.Length);
            Assert.InRange(double.Parse(cells[9], System.Globalization.CultureInfo.InvariantCulture), 0, 1);
        });
        var hyper = Checkpoint.Read(Path.Combine(outDir, Checkpoint.FileName)).Card.Hyperparameters;
        Assert.Equal(("0.25", "2", "warmup-cosine"), (hyper["validation_fraction"], hyper["patience"], hyper["lr_schedule"]));
        Assert.True(hyper.ContainsKey("best_epoch"));
        // 96 training images, a quarter held out.
        using var metrics = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        Assert.Equal(72, metrics.RootElement.GetProperty("train_count").GetInt32());
    }

    [Fact]
    public void Without_a_validation_split_the_columns_are_empty_and_no_patience_is_recorded()
    {
        using var dir = new TempDir();
        var data = TrainingFixtures.WriteQuadrantsFolder(Path.Combine(dir.Path, "data"));
        var outDir = Path.Combine(dir.Path, "out");

        int code = TrainCommand.Run(["mlp", "--dataset", data, "--epochs", "1", "--no-export", "--out", outDir], new StringWriter(), new StringWriter(), CancellationToken.None);

        Assert.Equal(0, code);
        Assert.All(File.ReadAllLines(Path.Combine(outDir, "history.csv")).Skip(1), row => Assert.EndsWith(",,", row, StringComparison.Ordinal));
        var hyper = Checkpoint.Read(Path.Combine(outDir, Checkpoint.FileName)).Card.Hyperparameters;
        Assert.False(hyper.ContainsKey("patience") || hyper.ContainsKey("validation_fraction") || hyper.ContainsKey("best_epoch"));
    }

    [Theory]
    [InlineData(new[] { "--patience", "2", "--validation", "0" }, "--patience watches the validation loss; it needs a validation split (--validation 0.1, say), not --validation 0")]
    [InlineData(new[] { "--validation", "0.7" }, "--validation must be a share from 0 to 0.5 of the training split, not 0.7")]
    [InlineData(new[] { "--patience", "-1" }, "--patience must be from 0 to 1000000 epochs, not -1")]
    public void A_bad_validation_or_patience_is_one_line(string[] flags, string message)
    {
        var error = new StringWriter();

        int code = TrainCommand.Run(["mlp", .. flags, "--out", Path.GetTempPath()], new StringWriter(), error, CancellationToken.None);

        Assert.Equal(1, code);
        Assert.Equal($"trainer train: {message}", error.ToString().TrimEnd());
    }

    [Fact]
    public void Patience_alone_holds_out_a_tenth()
    {
        var options = TrainOptionsResolver.ResolveOptions(new TrainArguments { Model = "cnn", Patience = 4 });

        Assert.Equal((0.1, 4), (options.ValidationFraction, options.Patience));
    }

    [Fact]
    public void Warmup_rises_linearly_over_the_first_twentieth_then_follows_the_cosine_to_zero()
    {
        const double rate = 0.002;
        Assert.Equal(rate / 5, LearningRateSchedule.At(LearningRateDecay.WarmupCosine, rate, 0, 100), 12);
        Assert.Equal(rate * 3 / 5, LearningRateSchedule.At(LearningRateDecay.WarmupCosine, rate, 2, 100), 12);
        Assert.InRange(LearningRateSchedule.At(LearningRateDecay.WarmupCosine, rate, 5, 100), 0.99 * rate, rate);
        Assert.InRange(LearningRateSchedule.At(LearningRateDecay.WarmupCosine, rate, 99, 100), 0, rate / 1000);
        var rates = Enumerable.Range(5, 95).Select(s => LearningRateSchedule.At(LearningRateDecay.WarmupCosine, rate, s, 100)).ToArray();
        Assert.True(rates.Zip(rates.Skip(1)).All(p => p.Second < p.First), "the rate falls after the warm-up");
    }

    [Theory]
    [InlineData(7196, 1, 28, 28, 5)] // the MNIST sample
    [InlineData(7196, 3, 32, 32, 18)] // the same digits in colour, 32×32: four times the values
    [InlineData(1438, 1, 8, 8, 22)] // the 8×8 digits: never fewer than 500 steps
    [InlineData(60000, 3, 32, 32, 5)] // large sets keep the preset's five
    [InlineData(5000, 3, 64, 64, 26)] // 2,000 steps at most, whatever the size
    [InlineData(100, 3, 64, 64, 100)] // and 100 epochs
    public void Image_epochs_follow_the_steps_the_input_size_asks_for(int train, long c, long h, long w, int epochs) =>
        Assert.Equal(epochs, RecipeFit.ImageEpochs(train, 64, [c, h, w], 5));

    [Theory]
    [InlineData(96, false, 100)] // 2 batches an epoch: capped
    [InlineData(1438, false, 22)] // the 8×8 digits' training split: 23 batches
    [InlineData(7196, false, 5)] // the MNIST sample's size keeps the preset's five
    [InlineData(1438, true, 5)] // --epochs given: left alone
    public void Small_image_sets_get_epochs_for_about_500_steps(int train, bool given, int epochs)
    {
        using var data = TrainingData.FromImages(TrainingFixtures.Quadrants(train: train, test: 4), null, null, CPU);
        var options = ModelPresets.Default(BuiltInModel.Cnn);

        var fitted = RecipeFit.ToData(options, new GivenOptions(Epochs: given), resumed: false, data, _ => { });

        Assert.Equal(epochs, fitted.Epochs);
    }
}
