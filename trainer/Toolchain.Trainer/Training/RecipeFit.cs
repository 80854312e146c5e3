using System.Globalization;
using Toolchain.Contracts;

namespace Toolchain.Trainer.Training;

/// <summary>
/// The defaults that depend on the data, settled once it is loaded: the built-in networks' class count, a table's
/// epochs, and the image augmentation. A resumed run keeps its checkpoint's; an option the user set is left alone.
/// </summary>
public static class RecipeFit
{
    /// <summary>Optimizer steps a table run takes by default: a few epochs of a 150-row table would be a dozen steps.</summary>
    public const int TableSteps = 2000;

    /// <summary>
    /// Optimizer steps a regression on a table takes by default. Fewer than a classifier's: a regression has no argmax to
    /// hide in, so the 64-unit network starts fitting a small table's noise well before 2,000 steps. On scikit-learn's
    /// diabetes (354 training rows) 2,000 steps gave test R² 0.380, 250 give 0.524 (linear regression: 0.523); on
    /// statsmodels' macrodata, engel, star98, grunfeld and fair, 250 steps stay above linear regression (bench-data).
    /// </summary>
    public const int RegressionTableSteps = 250;

    /// <summary>The options of a run on <paramref name="data"/>; <paramref name="say"/> hears each default that changed.</summary>
    public static TrainingOptions ToData(TrainingOptions options, GivenOptions given, bool resumed, TrainingData data, Action<string> say)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(given);
        ArgumentNullException.ThrowIfNull(data);
        if (resumed)
        {
            return options;
        }
        options = Task(options, given, data);
        options = ClassCount(options, given, data);
        options = TableEpochs(options, given, data, say);
        return Augmentation(options, given, data, say);
    }

    /// <summary>
    /// A regression trains the regression network (<see cref="ModelPresets.RegressionArchitecture"/>) with MSE unless
    /// --arch or --loss say otherwise; a classifier cannot take a regression's loss.
    /// </summary>
    private static TrainingOptions Task(TrainingOptions options, GivenOptions given, TrainingData data)
    {
        if (!data.IsRegression)
        {
            return given.Loss
                ? throw new ToolchainException($"--loss {EnumText.Of(options.Loss)} is a regression's loss, but {data.Name} trains a classifier (with cross-entropy); --task regression predicts its label as a number")
                : options;
        }
        return options with
        {
            Architecture = given.Architecture ? options.Architecture : ModelPresets.RegressionArchitecture(data.OutputWidth),
            Loss = given.Loss ? options.Loss : LossFunction.Mse,
        };
    }

    /// <summary>The built-in networks end in one logit per digit; a dataset of another class count gets as many.</summary>
    private static TrainingOptions ClassCount(TrainingOptions options, GivenOptions given, TrainingData data) =>
        !given.Architecture && !data.IsXor && !data.IsRegression && data.ClassNames.Count != 10
            ? options with { Architecture = ModelPresets.ForClasses(options.Architecture, data.ClassNames.Count) }
            : options;

    /// <summary>
    /// Optimizer steps an image run takes at least by default, per 28×28 grey image's worth of input values. The
    /// built-in recipe's five epochs were set on MNIST (thousands of steps; 565 on the 7,196-image sample); five epochs
    /// of 1,438 8×8 digits are 115 steps and stop at 92–93% where 500 steps pass 97%. Larger inputs get proportionally
    /// more (the layers after the first see more values, and the networks' flatten layers grow with them): the same
    /// 7,196 digits in random colours at 32×32 RGB reached 96.3% in 5 epochs, and get 18. At most four times as many
    /// (2,000 steps, as a table gets). Sets of the sample's size and larger at 28×28 keep their five epochs.
    /// </summary>
    public const int ImageSteps = 500;

    /// <summary>The epochs an image run gets without --epochs: at least <paramref name="presetEpochs"/>, at most 100 (see <see cref="ImageSteps"/>).</summary>
    public static int ImageEpochs(int trainCount, int batchSize, IReadOnlyList<long> inputShape, int presetEpochs)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        long batches = Math.Max(1, ((long)trainCount + batchSize - 1) / batchSize);
        double values = inputShape.Aggregate(1.0, (a, d) => a * d);
        // At most four times: 2,000 steps, as a table gets, whatever the image size.
        double steps = ImageSteps * Math.Clamp(values / (28 * 28), 1, 4);
        return (int)Math.Clamp(Math.Ceiling(steps / batches), presetEpochs, Math.Max(presetEpochs, 100));
    }

    /// <summary>
    /// A run without --epochs gets enough epochs for about <see cref="TableSteps"/> steps on a table
    /// (<see cref="RegressionTableSteps"/> for a regression; 5 to 500) and
    /// <see cref="ImageEpochs"/> on images: MNIST's five epochs are thousands of steps, a small table's or a small
    /// image set's are a handful.
    /// </summary>
    private static TrainingOptions TableEpochs(TrainingOptions options, GivenOptions given, TrainingData data, Action<string> say)
    {
        if (given.Epochs || data.Kind is not (DataKind.Table or DataKind.Image))
        {
            return options;
        }
        int batches = (data.TrainCount + options.BatchSize - 1) / options.BatchSize;
        int epochs = data.Kind == DataKind.Table
            ? Math.Clamp(((data.IsRegression ? RegressionTableSteps : TableSteps) + batches - 1) / batches, 5, 500)
            : ImageEpochs(data.TrainCount, options.BatchSize, data.InputShape, options.Epochs);
        if (epochs == options.Epochs)
        {
            return options;
        }
        say($"epochs: {epochs} ({batches} batches each; --epochs sets another count)");
        return options with { Epochs = epochs };
    }

    /// <summary>
    /// The augmentation of a fresh run, recorded as it is used (card and metrics). Tables and xor have no pixels: none.
    /// For images: <c>auto</c> becomes a level for the data (<see cref="AutoLevel"/>); flips follow <c>--flip</c>, and
    /// under <c>auto</c> are off for digits (<see cref="TrainingData.IsDigits"/>); the shift is <c>--augment N</c> as
    /// given, else the level's shift (1 px at 28×28) scaled to the image size (<see cref="ShiftAugmentation.ScaledTo"/>).
    /// </summary>
    private static TrainingOptions Augmentation(TrainingOptions options, GivenOptions given, TrainingData data, Action<string> say)
    {
        var level = options.Augmentation.Level;
        if (!data.IsImage)
        {
            return given.Augment && (options.AugmentShift > 0 || level is AugmentLevel.Light or AugmentLevel.Standard)
                ? throw new ToolchainException($"--augment varies images; {data.Name} is a table of features, with no pixels to vary")
                : options with { AugmentShift = 0, Augmentation = new ImageAugmentation { Level = AugmentLevel.None } };
        }
        if (level == AugmentLevel.Auto)
        {
            level = AutoLevel(data);
        }
        bool flip = options.Flip switch
        {
            FlipMode.On => true,
            FlipMode.Off => false,
            _ => !data.IsDigits,
        };
        var augmentation = ImageAugmentation.For(level, flip);
        long height = data.InputShape[^2], width = data.InputShape[^1];
        int shift = level == AugmentLevel.None ? 0
            : given.Augment ? options.AugmentShift
            : ShiftAugmentation.ScaledTo(options.AugmentShift, height, width);
        if (!given.Augment && shift != options.AugmentShift && shift > 0)
        {
            say(string.Create(CultureInfo.InvariantCulture,
                $"augment: shifts of up to {shift} px for {height}×{width} images ({options.AugmentShift} px at {ShiftAugmentation.ReferenceSide}×{ShiftAugmentation.ReferenceSide}; --augment N sets another)"));
        }
        if (augmentation.IsGeometric || augmentation.ColourJitter > 0)
        {
            say($"augment: {EnumText.Of(level)}: {augmentation.Describe(data.IsDigits)}");
        }
        return options with { AugmentShift = shift, Augmentation = augmentation };
    }

    /// <summary>
    /// The level <c>--augment auto</c> (the built-in models' default) takes: digits keep whole-pixel shifts, the recipe
    /// the MNIST figures were measured with; other pictures get the light level.
    /// </summary>
    public static AugmentLevel AutoLevel(TrainingData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.IsDigits ? AugmentLevel.Shift : AugmentLevel.Light;
    }
}
