using Toolchain.Data;
using Toolchain.Trainer.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Tests.Training;

[Collection(TorchRandomState.Name)]
public class ImageTrainingTests
{
    private static LoadedDataset SampleSubset(int train, int test)
    {
        var sample = DatasetResolver.Load("mnist-sample", DataPaths.DefaultRoot());
        static ImageSet Take(ImageSet s, int n) =>
            new(s.Pixels[..(n * s.ImageSize)], s.Labels[..n], n, s.Rows, s.Cols);
        return sample with { Train = Take(sample.Train, train), Test = Take(sample.Test, test) };
    }

    [Fact]
    public void A_short_mlp_run_on_a_few_hundred_real_digits_lowers_the_loss_and_beats_chance()
    {
        using var dir = new TempDir();
        using var data = TrainingData.FromImages(SampleSubset(400, 200), null, null, CPU);
        var options = ModelPresets.Default(BuiltInModel.Mlp) with { Epochs = 3, Dataset = "mnist-sample" };
        var observer = new RecordingObserver();
        var outcome = ModelTrainer.Run(options, data, CPU, dir.Path, "mnist-sample", null, observer, CancellationToken.None);
        using var run = outcome.Run;

        Assert.Equal([0, 1, 2, 3], observer.Epochs.Select(e => e.Epoch));
        Assert.True(observer.Epochs[^1].TestLoss < 0.6 * observer.Epochs[0].TestLoss,
            $"test loss went from {observer.Epochs[0].TestLoss} to {observer.Epochs[^1].TestLoss}");
        Assert.True(observer.Epochs[^1].TrainLoss < observer.Epochs[1].TrainLoss);
        Assert.True(observer.Epochs[^1].TestAccuracy > 0.6, $"test accuracy {observer.Epochs[^1].TestAccuracy}");
        Assert.All(observer.Epochs.Skip(1), e => Assert.True(e.SamplesPerSecond > 0 && e.Seconds > 0));
    }

    [Fact]
    public void Images_are_normalised_by_the_training_splits_own_mean_and_std_by_default()
    {
        using var data = TrainingData.FromImages(SampleSubset(400, 200), null, null, CPU);
        Assert.Equal(0, data.TrainX.mean().ToDouble(), 1e-5);
        Assert.Equal(1, data.TrainX.std().ToDouble(), 1e-4);
        Assert.Equal([1L, 28, 28], data.InputShape);
        Assert.InRange(data.Mean, 0.09, 0.16);
    }

    [Fact]
    public void Shift_augmentation_moves_each_image_by_whole_pixels_and_fills_with_the_background()
    {
        manual_seed(3);
        using var images = arange(2 * 16, dtype: float32).reshape(2, 1, 4, 4);
        using var shifted = ShiftAugmentation.Apply(images, 1, -7);
        Assert.Equal(images.shape, shifted.shape);
        for (int n = 0; n < 2; n++)
        {
            var original = images[n, 0].data<float>().ToArray();
            var moved = shifted[n, 0].data<float>().ToArray();
            // Some offset (dy, dx) in [-1, 1]² maps the original onto the shifted image, background elsewhere.
            bool found = false;
            for (int dy = -1; dy <= 1 && !found; dy++)
            {
                for (int dx = -1; dx <= 1 && !found; dx++)
                {
                    found = Enumerable.Range(0, 16).All(i =>
                    {
                        int y = (i / 4) + dy, x = (i % 4) + dx;
                        float want = y is >= 0 and < 4 && x is >= 0 and < 4 ? original[(y * 4) + x] : -7;
                        return moved[i] == want;
                    });
                }
            }
            Assert.True(found, $"image {n} is not a whole-pixel shift: {string.Join(",", moved)}");
        }
    }

    [Fact]
    public void The_cosine_schedule_starts_near_the_base_rate_and_ends_near_zero()
    {
        Assert.Equal(0.001, LearningRateSchedule.At(LearningRateDecay.None, 0.001, 99, 100));
        Assert.InRange(LearningRateSchedule.At(LearningRateDecay.Cosine, 0.001, 0, 100), 0.00099, 0.001);
        Assert.InRange(LearningRateSchedule.At(LearningRateDecay.Cosine, 0.001, 99, 100), 0, 0.000001);
        Assert.Equal(0.0005, LearningRateSchedule.At(LearningRateDecay.Cosine, 0.001, 50, 101), 12);
    }
}
