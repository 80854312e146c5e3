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
                ? throw new ToolchainException($"--loss {RecipeText.Of(options.Loss)} is a regression's loss, but {data.Name} trains a classifier (with cross-entropy); --task regression predicts its label as a number")
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
    /// A table trained without --epochs gets enough epochs for about <see cref="TableSteps"/> steps
    /// (<see cref="RegressionTableSteps"/> for a regression), 5 to 500 epochs:
    /// MNIST's five epochs are thousands of steps, a small table's are a handful.
    /// </summary>
    private static TrainingOptions TableEpochs(TrainingOptions options, GivenOptions given, TrainingData data, Action<string> say)
    {
        if (given.Epochs || data.Kind != DataKind.Table)
        {
            return options;
        }
        int batches = (data.TrainCount + options.BatchSize - 1) / options.BatchSize;
        int steps = data.IsRegression ? RegressionTableSteps : TableSteps;
        int epochs = Math.Clamp((steps + batches - 1) / batches, 5, 500);
        say($"epochs: {epochs} ({batches} batches each; --epochs sets another count)");
        return options with { Epochs = epochs };
    }

    /// <summary>
    /// The shift a fresh run augments with, recorded as it is used (card and metrics): <c>--augment N</c> as given;
    /// else the preset's shift, set for 28×28 digits, scaled to the image size (<see cref="ShiftAugmentation.ScaledTo"/>);
    /// none for tables and xor, which have no pixels to shift.
    /// </summary>
    private static TrainingOptions Augmentation(TrainingOptions options, GivenOptions given, TrainingData data, Action<string> say)
    {
        if (!data.IsImage)
        {
            return given.Augment && options.AugmentShift > 0
                ? throw new ToolchainException($"--augment shifts images; {data.Name} is a table of features, with no pixels to shift")
                : options with { AugmentShift = 0 };
        }
        if (given.Augment)
        {
            return options;
        }
        long height = data.InputShape[^2], width = data.InputShape[^1];
        int shift = ShiftAugmentation.ScaledTo(options.AugmentShift, height, width);
        if (shift != options.AugmentShift)
        {
            say(string.Create(CultureInfo.InvariantCulture,
                $"augment: shifts of up to {shift} px for {height}×{width} images ({options.AugmentShift} px at {ShiftAugmentation.ReferenceSide}×{ShiftAugmentation.ReferenceSide}; --augment sets another)"));
        }
        return options with { AugmentShift = shift };
    }
}
