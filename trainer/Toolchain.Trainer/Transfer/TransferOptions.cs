using System.Globalization;
using Toolchain.Contracts;

namespace Toolchain.Trainer.Transfer;

/// <summary>Everything that determines a transfer run, resolved from the defaults and the user's flags.</summary>
public sealed record TransferOptions
{
    /// <summary>The name of the built-in backbone.</summary>
    public const string BuiltInBackbone = "resnet18";

    /// <summary>The image folder.</summary>
    public required string Dataset { get; init; }

    /// <summary><see cref="BuiltInBackbone"/> or the path of an ONNX file.</summary>
    public string Backbone { get; init; } = BuiltInBackbone;

    /// <summary>The JSON describing an ONNX <see cref="Backbone"/>, or null for the built-in one.</summary>
    public string? BackboneConfig { get; init; }

    /// <summary>What the head reads from the backbone.</summary>
    public FeatureSet Features { get; init; } = FeatureSet.WithStage;

    /// <summary>What of the backbone trains after the head.</summary>
    public FineTuneMode FineTune { get; init; }

    /// <summary>The head spec, or null to choose between <see cref="HeadSpec.DefaultCandidates"/> on validation.</summary>
    public string? Head { get; init; }

    /// <summary>Most epochs of head training.</summary>
    public int Epochs { get; init; } = 60;

    /// <summary>Epochs with the backbone unfrozen, or null for <see cref="FineTuneEpochsFor"/> the training images.</summary>
    public int? FineTuneEpochs { get; init; }

    /// <summary>
    /// The default fine-tuning epochs for <paramref name="trainImages"/> pictures: for the last stage about 32,000
    /// samples' worth, between 3 and 8 epochs (on emoji-9, 4,065 pictures, 8 epochs reached 81.5%, still rising
    /// after the fourth's 80.8%; the last stage on cached activations runs about 20 samples a second on 2 CPU cores);
    /// for all stages, whose every batch goes through the whole backbone, about 20,000, between 2 and 4.
    /// </summary>
    public int FineTuneEpochsFor(int trainImages) => FineTuneEpochs
        ?? (FineTune == FineTuneMode.All
            ? Math.Clamp((int)Math.Ceiling(20_000.0 / Math.Max(1, trainImages)), 2, 4)
            : Math.Clamp((int)Math.Ceiling(32_000.0 / Math.Max(1, trainImages)), 3, 8));

    /// <summary>Head mini-batch size.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Fine-tuning mini-batch size.</summary>
    public int FineTuneBatchSize { get; init; } = 32;

    /// <summary>Adam learning rate of the head.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>The unfrozen backbone's learning rate as a share of the head's.</summary>
    public double BackboneLrFactor { get; init; } = 0.1;

    /// <summary>L2 weight decay.</summary>
    public double WeightDecay { get; init; } = 1e-4;

    /// <summary>The augmentation preset: none, light or standard.</summary>
    public string Augment { get; init; } = "none";

    /// <summary>Augmented copies per training image cached for fine-tuning the last stage.</summary>
    public int Views { get; init; }

    /// <summary>Share of the training images held out for validation.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>Epochs without a better validation loss before head training stops (0: never).</summary>
    public int Patience { get; init; } = 10;

    /// <summary>Seed of the initialisation, the batches and the augmentation.</summary>
    public long Seed { get; init; }

    /// <summary>Test share of a folder without its own split, or null for the default.</summary>
    public double? TestFraction { get; init; }

    /// <summary>Seed of that split.</summary>
    public int SplitSeed { get; init; }

    /// <summary>Whether a skipped image fails the run.</summary>
    public bool Strict { get; init; }

    /// <summary>ONNX Runtime and torch threads.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Images per ONNX Runtime run while featurizing.</summary>
    public int FeaturizeBatch { get; init; } = 32;

    /// <summary>Checks ranges; the first value out of range is one line naming its flag.</summary>
    public void Validate()
    {
        static void Require(bool ok, string message)
        {
            if (!ok)
            {
                throw new ToolchainException(message);
            }
        }
        static string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        Require(Epochs is >= 1 and <= 100_000, $"--epochs must be from 1 to 100000, not {Epochs}");
        Require(FineTuneEpochs is null or (>= 1 and <= 100_000), $"--fine-tune-epochs must be from 1 to 100000, not {FineTuneEpochs}");
        Require(BatchSize is >= 1 and <= 1_000_000, $"--batch-size must be from 1 to 1000000, not {BatchSize}");
        Require(FineTuneBatchSize is >= 1 and <= 1_000_000, $"--batch-size must be from 1 to 1000000, not {FineTuneBatchSize}");
        Require(LearningRate > 0 && double.IsFinite(LearningRate) && LearningRate <= 10, $"--lr must be in (0, 10], not {N(LearningRate)}");
        Require(BackboneLrFactor > 0 && BackboneLrFactor <= 10, $"--backbone-lr-factor must be in (0, 10], not {N(BackboneLrFactor)}");
        Require(WeightDecay >= 0 && WeightDecay <= 1, $"--weight-decay must be in [0, 1], not {N(WeightDecay)}");
        Require(Views is >= 0 and <= 16, $"--views must be from 0 to 16, not {Views}");
        Require(ValidationFraction > 0 && ValidationFraction < 0.9, $"--validation-fraction must be in (0, 0.9), not {N(ValidationFraction)}");
        Require(Patience >= 0, $"--patience must be 0 or more, not {Patience}");
        Require(TestFraction is null || (TestFraction > 0 && TestFraction < 1), $"--test-fraction must be in (0, 1), not {N(TestFraction ?? 0)}");
        Require(Threads >= 1, $"--threads must be at least 1, not {Threads}");
        Require(FeaturizeBatch is >= 1 and <= 4096, $"--featurize-batch must be from 1 to 4096, not {FeaturizeBatch}");
    }
}
