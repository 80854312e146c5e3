using System.Globalization;
using Toolchain.Contracts;
using Toolchain.Data.Tables;
using Toolchain.Trainer.Models;

namespace Toolchain.Trainer.Training;

/// <summary>
/// Everything that determines a training run, resolved from a preset and the user's flags. It is stored in the
/// checkpoint so that <c>--resume</c> continues with exactly the settings the run started with.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>The built-in model the run started from.</summary>
    public required BuiltInModel Model { get; init; }

    /// <summary>Architecture spec text.</summary>
    public required string Architecture { get; init; }

    /// <summary>The --dataset value: auto, a catalog name or a folder; <see cref="TrainingDataLoader.Xor"/> for the XOR model.</summary>
    public required string Dataset { get; init; }

    /// <summary>Total epochs to train (a resumed run continues up to this count).</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>Training mini-batch size.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Base learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>The optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>SGD momentum (ignored by Adam).</summary>
    public double Momentum { get; init; }

    /// <summary>L2 weight decay.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Constant, or a per-batch cosine decay to zero over the run.</summary>
    public LearningRateDecay LrSchedule { get; init; } = LearningRateDecay.None;

    /// <summary>Largest random shift in pixels applied to each training image, 0 for none.</summary>
    public int AugmentShift { get; init; }

    /// <summary>
    /// The rest of the image augmentation: its level (<see cref="AugmentLevel.Auto"/> until the data is loaded) and the
    /// crops, rotations, flips and colour jitter of the light and standard levels. A checkpoint written before the
    /// levels existed reads as shifts only, as it trained.
    /// </summary>
    public ImageAugmentation Augmentation { get; init; } = new();

    /// <summary>Whether the augmentation mirrors images: auto (not digits), on or off.</summary>
    public FlipMode Flip { get; init; } = FlipMode.Auto;

    /// <summary>
    /// The share of the training split held out for validation (stratified, seeded by <see cref="SplitSeed"/>), 0 for
    /// none: evaluated after every epoch (history.csv, loss.png) and what <see cref="Patience"/> watches.
    /// </summary>
    public double ValidationFraction { get; init; }

    /// <summary>The validation share <c>--patience</c> carves when <c>--validation</c> is not given.</summary>
    public const double DefaultValidationFraction = 0.1;

    /// <summary>Early stopping: epochs without a lower validation loss before training stops and the best epoch's weights come back; 0 for none.</summary>
    public int Patience { get; init; }

    /// <summary>The loss minimised.</summary>
    public LossFunction Loss { get; init; } = LossFunction.CrossEntropy;

    /// <summary>The element type of weights and inputs.</summary>
    public ElementType ElementType { get; init; } = ElementType.Float32;

    /// <summary>torch.manual_seed value for the first initialisation.</summary>
    public long Seed { get; init; }

    /// <summary>Initialisations to train; the one with the lowest final training loss is kept.</summary>
    public int Restarts { get; init; } = 1;

    /// <summary>Fixed normalisation mean, or null to use the training split's own.</summary>
    public double? NormalizationMean { get; init; }

    /// <summary>Fixed normalisation std, or null to use the training split's own.</summary>
    public double? NormalizationStd { get; init; }

    /// <summary>Seed of the XOR data draw (the test set uses the next seed).</summary>
    public uint DataSeed { get; init; }

    /// <summary>The label column of a CSV table (several comma-separated targets for a regression), or null for the last column.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>
    /// What a CSV table's label is: auto (decided by its values), classification or regression. Left out of a
    /// checkpoint's JSON when auto, so the checkpoints of classifiers read as they did before the option.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public TableTask Task { get; init; }

    /// <summary>Columns of a CSV table that are not features, or null for none (then left out of a checkpoint's JSON, which stays as it was before the option).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? IgnoreColumns { get; init; }

    /// <summary>The fraction of one table file or one image folder split off for testing, or null for the default.</summary>
    public double? TestFraction { get; init; }

    /// <summary>Seed of that stratified split.</summary>
    public int SplitSeed { get; init; }

    /// <summary>Channels of an image-folder dataset (1 or 3), or null to infer them from the images.</summary>
    public int? Channels { get; init; }

    /// <summary>Input size of an image-folder dataset ("N" or "HxW"), or null to infer it from the images.</summary>
    public string? ImageSize { get; init; }

    /// <summary>Whether an unreadable image in an image folder fails the run instead of being skipped.</summary>
    public bool Strict { get; init; }

    /// <summary>The recipe the options started from (recorded for the card).</summary>
    public RecipePreset Preset { get; init; } = RecipePreset.Default;

    /// <summary>
    /// Throws <see cref="ToolchainException"/> with one line for the first setting out of range. Fresh runs and
    /// checkpoints share it: a checkpoint's options must be ones a fresh run could have started with.
    /// </summary>
    public void Validate()
    {
        static void Check([System.Diagnostics.CodeAnalysis.DoesNotReturnIf(false)] bool ok, string message)
        {
            if (!ok)
            {
                throw new ToolchainException(message);
            }
        }
        // A checkpoint's JSON can carry nulls where the type says none; they fail here rather than deep in training.
        foreach (var (name, value) in new[] { ("architecture", Architecture), ("dataset", Dataset) })
        {
            Check(value is not null, $"no {name} given");
        }
        // The enums are read through RecipeText, so only a value set in code can be out of range.
        Check(Enum.IsDefined(Model), $"unknown model {(int)Model} (known: {EnumText.Known<BuiltInModel>()})");
        Check(Enum.IsDefined(Preset), $"--preset: unknown preset {(int)Preset} (known: {EnumText.Known<RecipePreset>()})");
        Check(Epochs is >= 1 and <= 1_000_000, $"--epochs must be from 1 to 1000000, not {Epochs}");
        Check(BatchSize is >= 1 and <= 1_000_000, $"--batch-size must be from 1 to 1000000, not {BatchSize}");
        Check(double.IsFinite(LearningRate) && LearningRate > 0, $"--lr must be a positive number, not {Num(LearningRate)}");
        Check(Enum.IsDefined(Optimizer), $"--optimizer: unknown optimizer {(int)Optimizer} (known: {EnumText.Known<OptimizerKind>()})");
        Check(Momentum is >= 0 and < 1, $"--momentum must be in [0, 1), not {Num(Momentum)}");
        Check(Optimizer == OptimizerKind.Sgd || Momentum == 0, "--momentum applies to --optimizer sgd only");
        Check(WeightDecay is >= 0 and < 1, $"--weight-decay must be in [0, 1), not {Num(WeightDecay)}");
        Check(Enum.IsDefined(LrSchedule), $"--lr-schedule: unknown schedule {(int)LrSchedule} (known: {EnumText.Known<LearningRateDecay>()})");
        Check(AugmentShift is >= 0 and <= ShiftAugmentation.MaxShift, $"--augment must be a shift from 0 to {ShiftAugmentation.MaxShift} pixels, not {AugmentShift}");
        Check(Model != BuiltInModel.Xor || AugmentShift == 0, "--augment shifts images; xor has none");
        Check(Augmentation is not null, "no augmentation given");
        Check(Enum.IsDefined(Augmentation!.Level), $"--augment: unknown augmentation {(int)Augmentation.Level} (known: {EnumText.Known<AugmentLevel>()})");
        Check(Augmentation.CropScale is > 0 and <= 1, $"the augmentation's crop scale must be in (0, 1], not {Num(Augmentation.CropScale)}");
        Check(Augmentation.RotationDegrees is >= 0 and <= 180, $"the augmentation's rotation must be 0 to 180 degrees, not {Num(Augmentation.RotationDegrees)}");
        Check(Augmentation.ColourJitter is >= 0 and < 1, $"the augmentation's colour jitter must be in [0, 1), not {Num(Augmentation.ColourJitter)}");
        Check(Enum.IsDefined(Flip), $"--flip: unknown flip mode {(int)Flip} (known: {EnumText.Known<FlipMode>()})");
        Check(ValidationFraction is >= 0 and <= 0.5, $"--validation must be a share from 0 to 0.5 of the training split, not {Num(ValidationFraction)}");
        Check(Patience is >= 0 and <= 1_000_000, $"--patience must be from 0 to 1000000 epochs, not {Patience}");
        Check(Model != BuiltInModel.Xor || (Patience == 0 && ValidationFraction == 0), "--validation and --patience apply to datasets; xor's notebook data has no split to carve");
        Check(Patience == 0 || ValidationFraction > 0,
            "--patience watches the validation loss; it needs a validation split (--validation 0.1, say), not --validation 0");
        Check(Restarts is >= 1 and <= 1000, $"--restarts must be from 1 to 1000, not {Restarts}");
        Check(Seed >= 0, $"--seed must not be negative, not {Seed}");
        long lastRestartOffset = (long)(Restarts - 1) * ModelTrainer.RestartSeedStride;
        Check(Seed <= long.MaxValue - lastRestartOffset,
            $"--seed {Seed} with --restarts {Restarts} would take the restart seeds past {long.MaxValue} (each restart adds {ModelTrainer.RestartSeedStride}); " +
            $"use a --seed of at most {long.MaxValue - lastRestartOffset}");
        Check(Enum.IsDefined(Loss), $"unknown loss {(int)Loss} (known: {EnumText.Known<LossFunction>()})");
        Check(Enum.IsDefined(ElementType), $"element type must be {EnumText.Choices<ElementType>()}, not {(int)ElementType}");
        Check(NormalizationMean is null || double.IsFinite(NormalizationMean.Value), "the normalisation mean must be a finite number");
        Check(NormalizationStd is null || (double.IsFinite(NormalizationStd.Value) && NormalizationStd > 0), "the normalisation std must be a positive number");
        Check(TestFraction is null || (TestFraction > 0 && TestFraction < 1), $"--test-fraction must be between 0 and 1, not {Num(TestFraction ?? 0)}");
        Check(SplitSeed >= 0, $"--split-seed must not be negative, not {SplitSeed}");
        Check(Channels is null or 1 or 3, $"--channels must be 1 or 3, not {Channels}");
        Check(IgnoreColumns is null || IgnoreColumns.Count == 0 || Toolchain.Data.Tables.TableDataset.IsTable(Dataset), "--ignore-columns applies to CSV tables");
        Check(Enum.IsDefined(Task), $"--task: unknown task {(int)Task} (known: {EnumText.Known<TableTask>()})");
        Check(Task == TableTask.Auto || TableDataset.IsTable(Dataset), $"--task {EnumText.Of(Task)} applies to CSV tables; {Dataset} is not one");
        ArchitectureSpec.Parse(Architecture); // a bad spec fails here, before any data is loaded
    }

    /// <summary>Hyperparameters as recorded in the model card and metrics.json.</summary>
    public IReadOnlyDictionary<string, string> Hyperparameters()
    {
        var h = new Dictionary<string, string>
        {
            ["preset"] = EnumText.Of(Preset),
            ["epochs"] = Epochs.ToString(CultureInfo.InvariantCulture),
            ["batch_size"] = BatchSize.ToString(CultureInfo.InvariantCulture),
            ["optimizer"] = EnumText.Of(Optimizer),
            ["lr"] = Num(LearningRate),
            ["lr_schedule"] = EnumText.Of(LrSchedule),
            ["loss"] = EnumText.Of(Loss),
            ["element_type"] = EnumText.Of(ElementType),
            ["augment_shift"] = AugmentShift.ToString(CultureInfo.InvariantCulture),
            ["restarts"] = Restarts.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in Augmentation.Hyperparameters())
        {
            h[key] = value;
        }
        if (ValidationFraction > 0)
        {
            h["validation_fraction"] = Num(ValidationFraction);
        }
        if (Patience > 0)
        {
            h["patience"] = Patience.ToString(CultureInfo.InvariantCulture);
        }
        if (Optimizer == OptimizerKind.Sgd)
        {
            h["momentum"] = Num(Momentum);
        }
        if (WeightDecay != 0)
        {
            h["weight_decay"] = Num(WeightDecay);
        }
        if (Task != TableTask.Auto)
        {
            h["task"] = EnumText.Of(Task);
        }
        if (Model == BuiltInModel.Xor)
        {
            h.RecordDataSeed(DataSeed);
        }
        return h;
    }

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
