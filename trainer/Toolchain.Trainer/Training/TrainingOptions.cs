using System.Globalization;

namespace Toolchain.Trainer.Training;

/// <summary>
/// Everything that determines a training run, resolved from a preset and the user's flags. It is stored in the
/// checkpoint so that <c>--resume</c> continues with exactly the settings the run started with.
/// </summary>
public sealed record TrainingOptions
{
    /// <summary>Preset the run started from: xor, mlp or cnn.</summary>
    public required string Model { get; init; }

    /// <summary>Architecture spec text.</summary>
    public required string Architecture { get; init; }

    /// <summary>The --dataset value: auto, a catalog name or a folder; "xor" for the XOR model.</summary>
    public required string Dataset { get; init; }

    /// <summary>Total epochs to train (a resumed run continues up to this count).</summary>
    public int Epochs { get; init; } = 5;

    /// <summary>Training mini-batch size.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Base learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>"sgd" or "adam".</summary>
    public string Optimizer { get; init; } = "adam";

    /// <summary>SGD momentum (ignored by Adam).</summary>
    public double Momentum { get; init; }

    /// <summary>L2 weight decay.</summary>
    public double WeightDecay { get; init; }

    /// <summary>"none" (constant) or "cosine" (per-batch cosine decay to zero over the run).</summary>
    public string LrSchedule { get; init; } = "none";

    /// <summary>Largest random shift in pixels applied to each training image, 0 for none.</summary>
    public int AugmentShift { get; init; }

    /// <summary>"mse" or "cross-entropy".</summary>
    public string Loss { get; init; } = "cross-entropy";

    /// <summary>"float32" or "float64": the element type of weights and inputs.</summary>
    public string ElementType { get; init; } = "float32";

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

    /// <summary>Whether this is the notebook's setting (recorded for the card).</summary>
    public string Preset { get; init; } = "default";

    /// <summary>Hyperparameters as recorded in the model card and metrics.json.</summary>
    public IReadOnlyDictionary<string, string> Hyperparameters()
    {
        static string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var h = new Dictionary<string, string>
        {
            ["preset"] = Preset,
            ["epochs"] = Epochs.ToString(CultureInfo.InvariantCulture),
            ["batch_size"] = BatchSize.ToString(CultureInfo.InvariantCulture),
            ["optimizer"] = Optimizer,
            ["lr"] = N(LearningRate),
            ["lr_schedule"] = LrSchedule,
            ["loss"] = Loss,
            ["element_type"] = ElementType,
            ["augment_shift"] = AugmentShift.ToString(CultureInfo.InvariantCulture),
            ["restarts"] = Restarts.ToString(CultureInfo.InvariantCulture),
        };
        if (Optimizer == "sgd")
        {
            h["momentum"] = N(Momentum);
        }
        if (WeightDecay != 0)
        {
            h["weight_decay"] = N(WeightDecay);
        }
        if (Model == "xor")
        {
            h["data_seed"] = DataSeed.ToString(CultureInfo.InvariantCulture);
        }
        return h;
    }
}
