using System.Globalization;
using Toolchain.Contracts;
using Toolchain.Data.Tables;
using Toolchain.Trainer.Models;
using Toolchain.Trainer.Training;

namespace Toolchain.Trainer.Cli;

/// <summary>Turns the flags of <c>trainer train</c> into the options of a fresh run, or checks them against a checkpoint's.</summary>
public static class TrainOptionsResolver
{
    /// <summary>The options a fresh run uses: the model's preset, overridden by what was given, validated.</summary>
    public static TrainingOptions ResolveOptions(TrainArguments a)
    {
        RefuseExtraWords(a);
        var model = EnumText.ParseExact<BuiltInModel>(a.Model) ?? throw new ToolchainException(RecipeText.Unknown<BuiltInModel>(a.Model));
        var o = ModelPresets.For(model, a.Preset is null ? RecipePreset.Default : FlagValue<RecipePreset>("--preset", a.Preset));
        if (model == BuiltInModel.Xor && a.Dataset is not null && a.Dataset != TrainingDataLoader.Xor)
        {
            throw new ToolchainException("--dataset: xor trains on the notebook's XOR data; use --data-seed for another draw");
        }
        if (model != BuiltInModel.Xor && a.Dataset == TrainingDataLoader.Xor)
        {
            throw new ToolchainException($"--dataset: xor data is for the xor model, not {a.Model}");
        }
        o = o with
        {
            Architecture = a.Arch ?? o.Architecture,
            Dataset = a.Dataset ?? o.Dataset,
            Epochs = a.Epochs ?? o.Epochs,
            BatchSize = a.BatchSize ?? o.BatchSize,
            LearningRate = a.Lr ?? o.LearningRate,
            Optimizer = a.Optimizer is null ? o.Optimizer : FlagValue<OptimizerKind>("--optimizer", a.Optimizer.ToLowerInvariant()),
            Momentum = a.Momentum ?? o.Momentum,
            WeightDecay = a.WeightDecay ?? o.WeightDecay,
            LrSchedule = a.LrSchedule is null ? o.LrSchedule : FlagValue<LearningRateDecay>("--lr-schedule", a.LrSchedule.ToLowerInvariant()),
            AugmentShift = a.Augment is null ? o.AugmentShift : AugmentOption(a.Augment).Shift,
            Augmentation = a.Augment is null ? o.Augmentation : new ImageAugmentation { Level = AugmentOption(a.Augment).Level },
            Flip = a.Flip is null ? o.Flip : FlagValue<FlipMode>("--flip", a.Flip.ToLowerInvariant()),
            ValidationFraction = a.Validation ?? (a.Patience is > 0 && o.ValidationFraction == 0 ? TrainingOptions.DefaultValidationFraction : o.ValidationFraction),
            Patience = a.Patience ?? o.Patience,
            Seed = a.Seed ?? o.Seed,
            Restarts = a.Restarts ?? o.Restarts,
            DataSeed = a.DataSeed ?? o.DataSeed,
            LabelColumn = a.LabelColumn ?? o.LabelColumn,
            Task = a.Task is null ? o.Task : FlagValue<TableTask>("--task", a.Task.ToLowerInvariant()),
            Loss = a.Loss is null ? o.Loss : RegressionLoss(a.Loss),
            IgnoreColumns = a.IgnoreColumns?.Where(c => c.Length > 0).ToList() is { Count: > 0 } ignored ? ignored : o.IgnoreColumns,
            TestFraction = a.TestFraction ?? o.TestFraction,
            SplitSeed = a.SplitSeed ?? o.SplitSeed,
            Channels = a.Channels ?? o.Channels,
            ImageSize = a.ImageSize ?? o.ImageSize,
            Strict = a.Strict || o.Strict,
        };
        o.Validate();
        return o;
    }

    /// <summary>
    /// The value a recipe flag names; any other word is one line naming the flag, the word and the known values.
    /// --preset takes its exact spelling, as the model does; --optimizer and --lr-schedule are lowered by the caller first.
    /// </summary>
    private static T FlagValue<T>(string flag, string text) where T : struct, Enum =>
        EnumText.ParseExact<T>(text) ?? throw new ToolchainException($"{flag}: {RecipeText.Unknown<T>(text)}");

    /// <summary>The loss --loss names: mse, huber or mae, the losses of a regression.</summary>
    private static LossFunction RegressionLoss(string text)
    {
        var loss = FlagValue<LossFunction>("--loss", text.ToLowerInvariant());
        return loss is LossFunction.Mse or LossFunction.Huber or LossFunction.Mae
            ? loss
            : throw new ToolchainException($"--loss {EnumText.Of(loss)}: --loss chooses a regression's loss (mse, huber or mae); classifiers always train with cross-entropy");
    }

    private static void RefuseExtraWords(TrainArguments a)
    {
        if (a.Extra.FirstOrDefault() is { } word)
        {
            throw new ToolchainException($"unexpected argument '{word}' after the model (options start with --)");
        }
    }

    /// <summary>
    /// The options a resumed run uses: the checkpoint's, with only --epochs changeable; any other option given must
    /// agree with the checkpoint, because changing it would not continue the same run.
    /// </summary>
    public static TrainingOptions ResolveResumeOptions(TrainingOptions stored, TrainArguments a, string checkpointPath)
    {
        RefuseExtraWords(a);
        // Given words are compared with the stored values' text, so a word that is no value at all is reported as differing.
        if (a.Model != EnumText.Of(stored.Model))
        {
            throw new ToolchainException($"{checkpointPath}: this checkpoint is a {EnumText.Of(stored.Model)} run, not {a.Model}");
        }
        static void Same<T>(string flag, T? given, T stored2)
        {
            if (given is not null && !EqualityComparer<T>.Default.Equals(given, stored2))
            {
                throw DiffersFromCheckpoint(flag, given.ToString(), stored2?.ToString());
            }
        }
        Same("--arch", a.Arch is null ? null : ArchitectureSpec.Parse(a.Arch).Canonical, ArchitectureSpec.Parse(stored.Architecture).Canonical);
        Same("--batch-size", a.BatchSize?.ToString(CultureInfo.InvariantCulture), stored.BatchSize.ToString(CultureInfo.InvariantCulture));
        Same("--lr", a.Lr is { } lr ? Num(lr) : null, Num(stored.LearningRate));
        Same("--optimizer", a.Optimizer?.ToLowerInvariant(), EnumText.Of(stored.Optimizer));
        Same("--momentum", a.Momentum is { } m ? Num(m) : null, Num(stored.Momentum));
        Same("--weight-decay", a.WeightDecay is { } w ? Num(w) : null, Num(stored.WeightDecay));
        Same("--lr-schedule", a.LrSchedule?.ToLowerInvariant(), EnumText.Of(stored.LrSchedule));
        Same("--augment", a.Augment is null ? null : AugmentText(AugmentOption(a.Augment)), AugmentText((stored.Augmentation.Level, stored.AugmentShift)));
        Same("--flip", a.Flip?.ToLowerInvariant(), EnumText.Of(stored.Flip));
        Same("--validation", a.Validation is { } v ? Num(v) : null, Num(stored.ValidationFraction));
        Same("--patience", a.Patience?.ToString(CultureInfo.InvariantCulture), stored.Patience.ToString(CultureInfo.InvariantCulture));
        Same("--seed", a.Seed?.ToString(CultureInfo.InvariantCulture), stored.Seed.ToString(CultureInfo.InvariantCulture));
        Same("--data-seed", a.DataSeed?.ToString(CultureInfo.InvariantCulture), stored.DataSeed.ToString(CultureInfo.InvariantCulture));
        Same("--preset", a.Preset, EnumText.Of(stored.Preset));
        Same("--task", a.Task?.ToLowerInvariant(), EnumText.Of(stored.Task));
        Same("--loss", a.Loss?.ToLowerInvariant(), EnumText.Of(stored.Loss));
        Same("--label-column", a.LabelColumn, stored.LabelColumn ?? a.LabelColumn);
        var o = stored with { Epochs = a.Epochs ?? stored.Epochs };
        o.Validate();
        return o;
    }

    /// <summary>The error for a flag that would change a resumed run.</summary>
    internal static ToolchainException DiffersFromCheckpoint(string flag, string? given, string? stored) =>
        new($"{flag} {given} differs from the checkpoint's {stored}; --resume continues the run as it was (drop {flag}, or train into a new --out)");

    /// <summary>
    /// What <c>--augment</c> says: a level (none, light, standard, auto; the levels' shift is the presets' 1 px at
    /// 28×28, scaled later) or a whole number of pixels to shift by, shifts only.
    /// </summary>
    public static (AugmentLevel Level, int Shift) AugmentOption(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var word = text.Trim().ToLowerInvariant();
        if (int.TryParse(word, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pixels))
        {
            return pixels is >= 0 and <= ShiftAugmentation.MaxShift
                ? (AugmentLevel.Shift, pixels)
                : throw new ToolchainException($"--augment must be a shift from 0 to {ShiftAugmentation.MaxShift} pixels, not {pixels}");
        }
        return EnumText.ParseExact<AugmentLevel>(word) switch
        {
            AugmentLevel.None => (AugmentLevel.None, 0),
            AugmentLevel.Light or AugmentLevel.Standard or AugmentLevel.Auto => (EnumText.ParseExact<AugmentLevel>(word)!.Value, 1),
            _ => throw new ToolchainException(
                $"--augment: unknown augmentation '{text}' (known: none, light, standard, auto, or a shift of 0 to {ShiftAugmentation.MaxShift} pixels)"),
        };
    }

    /// <summary>The words a checkpoint's augmentation is compared in: the level, or the shift for shifts only.</summary>
    private static string AugmentText((AugmentLevel Level, int Shift) a) =>
        a.Level == AugmentLevel.Shift ? a.Shift.ToString(CultureInfo.InvariantCulture) : EnumText.Of(a.Level);

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
