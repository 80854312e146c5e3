using Toolchain.Data;
using Toolchain.Trainer.Training;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Tests.Training;

[Collection(TorchRandomState.Name)]
public class BatchAugmenterTests
{
    private static readonly double[] Grey = [0.2], GreyStd = [0.3];

    private static BatchAugmenter Augmenter(ImageAugmentation settings, int shift = 0, double[]? means = null, double[]? stds = null) =>
        new(TrainingFixtures.TinyImageOptions() with { AugmentShift = shift, Augmentation = settings }, means ?? Grey, stds ?? GreyStd);

    private static Tensor Batch(long n, long c, long size, int seed)
    {
        using var g = new TorchSharp.torch.Generator((ulong)seed);
        return rand([n, c, size, size], generator: g);
    }

    [Theory]
    [InlineData(AugmentLevel.Light, 1)]
    [InlineData(AugmentLevel.Standard, 3)]
    public void Each_level_keeps_the_batch_shape_type_and_device_and_leaves_the_input_alone(AugmentLevel level, int channels)
    {
        using var x = Batch(8, channels, 12, 1);
        using var before = x.clone();
        var means = Enumerable.Repeat(0.4, channels).ToArray();
        var stds = Enumerable.Repeat(0.25, channels).ToArray();

        using var y = Augmenter(ImageAugmentation.For(level, flip: true), shift: 1, means, stds).Apply(x);

        Assert.Equal(x.shape, y.shape);
        Assert.Equal(x.dtype, y.dtype);
        Assert.True(x.eq(before).all().item<bool>());
        Assert.False(y.eq(x).all().item<bool>());
        Assert.True(y.isfinite().all().item<bool>());
    }

    [Fact]
    public void The_same_seed_gives_the_same_batch_and_another_seed_another()
    {
        using var x = Batch(16, 3, 10, 2);
        var augmenter = Augmenter(ImageAugmentation.For(AugmentLevel.Standard, flip: true), shift: 1, [0.5, 0.5, 0.5], [0.2, 0.2, 0.2]);
        Tensor Draw(long seed)
        {
            manual_seed(seed);
            return augmenter.Apply(x);
        }

        using var a = Draw(7);
        using var b = Draw(7);
        using var c = Draw(8);

        Assert.True(a.eq(b).all().item<bool>());
        Assert.False(a.eq(c).all().item<bool>());
    }

    [Fact]
    public void Each_image_gets_its_own_draw_not_one_for_the_whole_batch()
    {
        // 32 copies of one image: a per-batch draw would leave them all alike.
        using var one = Batch(1, 1, 12, 3);
        using var x = one.expand(32, 1, 12, 12).contiguous();
        manual_seed(1);

        using var y = Augmenter(ImageAugmentation.For(AugmentLevel.Light, flip: true)).Apply(x);

        var distinct = Enumerable.Range(0, 32).Select(i => string.Join(',', y[i].flatten().data<float>().ToArray().Select(v => MathF.Round(v, 4)))).Distinct().Count();
        Assert.True(distinct >= 30, $"only {distinct} different images out of 32");
    }

    [Fact]
    public void A_flip_alone_gives_each_image_or_its_mirror_and_about_half_are_mirrored()
    {
        using var x = Batch(200, 1, 9, 4);
        manual_seed(5);

        using var y = Augmenter(new ImageAugmentation { Level = AugmentLevel.Light, Flip = true }).Apply(x);

        using var mirrored = x.flip(3);
        int flips = 0;
        for (int i = 0; i < 200; i++)
        {
            bool same = y[i].allclose(x[i], atol: 1e-5);
            bool mirror = y[i].allclose(mirrored[i], atol: 1e-5);
            Assert.True(same || mirror, $"image {i} is neither itself nor its mirror");
            flips += mirror && !same ? 1 : 0;
        }
        Assert.InRange(flips, 70, 130);
    }

    [Fact]
    public void What_a_crop_or_rotation_brings_in_from_outside_is_black_for_grey_images()
    {
        // A black image (normalised: −mean/std) stays black under any crop, rotation and flip.
        double black = -Grey[0] / GreyStd[0];
        using var x = full([16, 1, 10, 10], black);
        manual_seed(6);

        using var y = Augmenter(new ImageAugmentation { Level = AugmentLevel.Standard, CropScale = 0.6, RotationDegrees = 30, Flip = true }, shift: 2).Apply(x);

        Assert.True(y.allclose(x, atol: 1e-5));
    }

    [Fact]
    public void Colour_jitter_keeps_pixels_within_0_to_1_and_changes_colour_images_per_image()
    {
        double[] means = [0.5, 0.4, 0.3], stds = [0.2, 0.25, 0.3];
        using var pixels = Batch(64, 3, 6, 7);
        using var mean = tensor(means.Select(v => (float)v).ToArray(), [1, 3, 1, 1]);
        using var std = tensor(stds.Select(v => (float)v).ToArray(), [1, 3, 1, 1]);
        using var x = (pixels - mean) / std;
        manual_seed(8);

        using var y = Augmenter(new ImageAugmentation { Level = AugmentLevel.Standard, ColourJitter = 0.3 }, means: means, stds: stds).Apply(x);

        using var back = y * std + mean;
        Assert.InRange(back.min().item<float>(), -1e-5f, 1f);
        Assert.InRange(back.max().item<float>(), 0f, 1f + 1e-5f);
        Assert.False(y.allclose(x, atol: 1e-3));
    }

    [Theory]
    [InlineData(new[] { "0", "1", "2", "3" }, FlipMode.Auto, false)]
    [InlineData(new[] { "cat", "dog", "cow", "pig" }, FlipMode.Auto, true)]
    [InlineData(new[] { "0", "1", "2", "3" }, FlipMode.On, true)]
    [InlineData(new[] { "cat", "dog", "cow", "pig" }, FlipMode.Off, false)]
    public void Flips_are_off_for_digits_unless_asked_for(string[] classes, FlipMode mode, bool flips)
    {
        var sample = TrainingFixtures.Quadrants();
        var named = sample with { ClassNames = classes };
        using var data = TrainingData.FromImages(named, null, null, CPU).WithImageFolderFacts(new Dictionary<string, string>());
        var options = TrainingFixtures.TinyImageOptions() with { Augmentation = new ImageAugmentation { Level = AugmentLevel.Light }, Flip = mode };

        var fitted = RecipeFit.ToData(options, new GivenOptions(), resumed: false, data, _ => { });

        Assert.Equal(flips, fitted.Augmentation.Flip);
        Assert.Equal(AugmentLevel.Light, fitted.Augmentation.Level);
        Assert.Equal(fitted.Augmentation.Flip ? "true" : "false", fitted.Hyperparameters()["augment_flip"]);
    }

    [Fact]
    public void Auto_keeps_shifts_for_digit_sets_and_picks_light_for_other_pictures()
    {
        using var digits = TrainingData.FromImages(TrainingFixtures.Quadrants() with { Name = "mnist-sample", ClassNames = ["0", "1", "2", "3"] }, null, null, CPU);
        using var pictures = TrainingData.FromImages(TrainingFixtures.Quadrants(), null, null, CPU).WithImageFolderFacts(new Dictionary<string, string>());
        var options = ModelPresets.Default(BuiltInModel.Cnn);

        var forDigits = RecipeFit.ToData(options, new GivenOptions(), resumed: false, digits, _ => { });
        var forPictures = RecipeFit.ToData(options, new GivenOptions(), resumed: false, pictures, _ => { });

        Assert.True(digits.IsDigits);
        Assert.Equal((AugmentLevel.Shift, 1, false), (forDigits.Augmentation.Level, forDigits.AugmentShift, forDigits.Augmentation.IsGeometric));
        Assert.Equal((AugmentLevel.Light, true), (forPictures.Augmentation.Level, forPictures.Augmentation.Flip));
        Assert.Equal("shift", forDigits.Hyperparameters()["augment"]);
        Assert.Equal("light", forPictures.Hyperparameters()["augment"]);
    }
}
