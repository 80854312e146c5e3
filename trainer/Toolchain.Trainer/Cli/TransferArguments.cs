using CommandLine;

namespace Toolchain.Trainer.Cli;

/// <summary>The options of <c>trainer train transfer</c>; null means "not given", so the defaults apply.</summary>
public sealed class TransferArguments : IExportInputOption
{
    /// <summary>Words after the command, which are mistakes (e.g. a value without its option).</summary>
    [Value(0, Hidden = true)]
    public IEnumerable<string> Extra { get; set; } = [];

    /// <summary>The image folder.</summary>
    [Option("dataset", Required = true, HelpText = "image folder: DIR/<class>/* (split stratified by --test-fraction) or DIR/{train,test}/<class>/*")]
    public string? Dataset { get; set; }

    /// <summary>The backbone.</summary>
    [Option("backbone", HelpText = "resnet18 (default: the built-in ImageNet ResNet18) or an ONNX file, described by --backbone-config")]
    public string? Backbone { get; set; }

    /// <summary>The backbone's configuration.</summary>
    [Option("backbone-config", HelpText = "JSON describing an ONNX --backbone: input and output names, size, channel order, scale, mean/std")]
    public string? BackboneConfig { get; set; }

    /// <summary>What of the backbone trains.</summary>
    [Option("fine-tune", HelpText = "none (default: the backbone stays frozen, only the head trains), last (then the last stage trains too) or all")]
    public string? FineTune { get; set; }

    /// <summary>The head.</summary>
    [Option("head", HelpText = "head architecture on the backbone's features, ending in one logit per class, e.g. \"linear(256) relu dropout(0.5) linear(10)\" " +
        "(default: a linear layer or one hidden layer with dropout, whichever validates better)")]
    public string? Head { get; set; }

    /// <summary>Head epochs.</summary>
    [Option("epochs", HelpText = "most epochs of head training on the frozen features (default 60; early stopping on the validation split ends it sooner)")]
    public int? Epochs { get; set; }

    /// <summary>Fine-tuning epochs.</summary>
    [Option("fine-tune-epochs", HelpText = "epochs with the backbone unfrozen, after the head is trained (default: about 32,000 samples' worth, 3 to 8, for last; 20,000, 2 to 4, for all)")]
    public int? FineTuneEpochs { get; set; }

    /// <summary>Batch size.</summary>
    [Option("batch-size", HelpText = "mini-batch size (default 64; 32 while fine-tuning)")]
    public int? BatchSize { get; set; }

    /// <summary>Head learning rate.</summary>
    [Option("lr", HelpText = "Adam learning rate of the head (default 0.001)")]
    public double? Lr { get; set; }

    /// <summary>Backbone learning-rate factor.</summary>
    [Option("backbone-lr-factor", HelpText = "the unfrozen backbone's learning rate as a share of the head's (default 0.1)")]
    public double? BackboneLrFactor { get; set; }

    /// <summary>Weight decay.</summary>
    [Option("weight-decay", HelpText = "L2 weight decay (default 0.0001)")]
    public double? WeightDecay { get; set; }

    /// <summary>What the head reads.</summary>
    [Option("features", HelpText = "with-stage (default: the backbone's output and, appended, the activations where its last stage starts, averaged; " +
        "drawings and other pictures unlike photographs gain most) or output (the backbone's output alone)")]
    public string? Features { get; set; }

    /// <summary>Augmentation preset.</summary>
    [Option("augment", HelpText = "none, light (each training picture also mirrored) or standard (default: also random crops, ±10° and colour jitter): " +
        "augmented views computed once and cached with the features (fine-tune all: fresh views every batch); never in the exported graph")]
    public string? Augment { get; set; }

    /// <summary>Augmented views cached per training image.</summary>
    [Option("views", HelpText = "augmented copies of each training image cached beside it (default 1 for light, 3 for standard)")]
    public int? Views { get; set; }

    /// <summary>Validation share.</summary>
    [Option("validation-fraction", HelpText = "share of the training images held out to choose the head and its epochs (default 0.1); the final head then trains on all of them")]
    public double? ValidationFraction { get; set; }

    /// <summary>Early-stopping patience.</summary>
    [Option("patience", HelpText = "stop head training after N epochs without a better validation loss, keeping the best (default 10; 0 never stops)")]
    public int? Patience { get; set; }

    /// <summary>Seed.</summary>
    [Option("seed", HelpText = "torch.manual_seed of the head's initialisation, the batches and the augmentation (default 0)")]
    public long? Seed { get; set; }

    /// <summary>Test fraction.</summary>
    [Option("test-fraction", HelpText = "an image folder without train/ and test/: the share split off for testing, stratified (default 0.2)")]
    public double? TestFraction { get; set; }

    /// <summary>Split seed.</summary>
    [Option("split-seed", HelpText = "seed of that split (default 0); recorded in the model card")]
    public int? SplitSeed { get; set; }

    /// <summary>Strict.</summary>
    [Option("strict", HelpText = "fail on an unreadable or too small image instead of skipping it")]
    public bool Strict { get; set; }

    /// <summary>Threads.</summary>
    [Option("threads", HelpText = "ONNX Runtime and torch CPU threads (default: all cores)")]
    public int? Threads { get; set; }

    /// <summary>Featurization batch.</summary>
    [Option("featurize-batch", HelpText = "images per ONNX Runtime run while computing the features (default 32)")]
    public int? FeaturizeBatch { get; set; }

    /// <summary>Device.</summary>
    [Option("device", HelpText = "auto (default: CUDA when available), cpu or cuda: where the head and the fine-tuned stages train")]
    public string? Device { get; set; }

    /// <summary>Output folder.</summary>
    [Option("out", HelpText = "output folder (default artifacts/transfer in the current directory)")]
    public string? Out { get; set; }

    /// <summary>Cache folder.</summary>
    [Option("cache-dir", HelpText = "where decoded features are cached (default artifacts/cache in the current directory)")]
    public string? CacheDir { get; set; }

    /// <summary>What the exported graph takes: float (default) or uint8 pixels.</summary>
    public string? Input { get; set; }

    /// <summary>Skip ONNX export.</summary>
    [Option("no-export", HelpText = "do not write model.onnx")]
    public bool NoExport { get; set; }

    /// <summary>Quiet.</summary>
    [Option('q', "quiet", HelpText = "print only the final summary and errors")]
    public bool Quiet { get; set; }
}
