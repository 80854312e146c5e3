using CommandLine;

namespace Toolchain.Trainer.Cli;

/// <summary>The options of <c>trainer train</c>; null means "not given", so presets and checkpoints fill them.</summary>
public sealed class TrainArguments : IExportInputOption, IDataDirOption
{
    /// <summary>Model to train.</summary>
    [Value(0, MetaName = "model", Required = true, HelpText = "xor, mlp or cnn")]
    public string Model { get; set; } = "";

    /// <summary>Words after the model, which are mistakes (e.g. a value without its option).</summary>
    [Value(1, Hidden = true)]
    public IEnumerable<string> Extra { get; set; } = [];

    /// <summary>Architecture spec overriding the model's.</summary>
    [Option("arch", HelpText = "architecture spec, e.g. \"flatten linear(64) relu linear(10)\"")]
    public string? Arch { get; set; }

    /// <summary>Dataset.</summary>
    [Option("dataset", HelpText = "auto (default), mnist, mnist-sample, fashion-mnist, a folder of IDX files, an image folder (DIR/<class>/* or DIR/{train,test}/<class>/*), or a CSV table (file, or folder with train.csv and test.csv)")]
    public string? Dataset { get; set; }

    /// <summary>Epochs.</summary>
    [Option("epochs", HelpText = "total epochs (xor 200, mlp/cnn 5); with --resume, train up to this many")]
    public int? Epochs { get; set; }

    /// <summary>Batch size.</summary>
    [Option("batch-size", HelpText = "mini-batch size (xor 25, mlp/cnn 64)")]
    public int? BatchSize { get; set; }

    /// <summary>Learning rate.</summary>
    [Option("lr", HelpText = "learning rate (xor 0.5, mlp/cnn 0.002)")]
    public double? Lr { get; set; }

    /// <summary>Optimizer.</summary>
    [Option("optimizer", HelpText = "sgd or adam (xor sgd, mlp/cnn adam)")]
    public string? Optimizer { get; set; }

    /// <summary>SGD momentum.</summary>
    [Option("momentum", HelpText = "SGD momentum (default 0)")]
    public double? Momentum { get; set; }

    /// <summary>Weight decay.</summary>
    [Option("weight-decay", HelpText = "L2 weight decay (default 0)")]
    public double? WeightDecay { get; set; }

    /// <summary>LR schedule.</summary>
    [Option("lr-schedule", HelpText = "none, cosine or warmup-cosine (5% linear warm-up, then cosine) (mlp/cnn default warmup-cosine; 'none' is the plain recipe)")]
    public string? LrSchedule { get; set; }

    /// <summary>Augmentation: a level or a shift in pixels.</summary>
    [Option("augment", HelpText = "training-image augmentation: none; light (shifts, crops of 85–100% of the area, rotations ±10°, flips, colour jitter 0.1); standard (crops of 60–100%, ±15°, flips, jitter 0.3); auto (default: shifts for digits, light otherwise); or N, shifts only of up to N pixels (0 turns them off)")]
    public string? Augment { get; set; }

    /// <summary>Flips.</summary>
    [Option("flip", HelpText = "auto (default: the augmentation's flips, except for digits), on or off")]
    public string? Flip { get; set; }

    /// <summary>Validation share.</summary>
    [Option("validation", HelpText = "hold out this share of the training split for validation (stratified, seeded by --split-seed), evaluated every epoch into history.csv and loss.png (default 0: none; 0.1 with --patience)")]
    public double? Validation { get; set; }

    /// <summary>Early stopping.</summary>
    [Option("patience", HelpText = "stop after N epochs without a lower validation loss and keep the best epoch's weights (default 0: train every epoch)")]
    public int? Patience { get; set; }

    /// <summary>Seed.</summary>
    [Option("seed", HelpText = "torch.manual_seed of the first initialisation (default 0)")]
    public long? Seed { get; set; }

    /// <summary>Restarts.</summary>
    [Option("restarts", HelpText = "train N initialisations (seeds seed, seed+10, ...), keep the best training accuracy, then loss (default 1)")]
    public int? Restarts { get; set; }

    /// <summary>Device.</summary>
    [Option("device", HelpText = "auto (default: CUDA when available), cpu or cuda")]
    public string? Device { get; set; }

    /// <summary>Threads.</summary>
    [Option("threads", HelpText = "torch CPU threads (default: all cores; 1 for xor)")]
    public int? Threads { get; set; }

    /// <summary>Output folder.</summary>
    [Option("out", HelpText = "output folder (default artifacts/<model> in the current directory)")]
    public string? Out { get; set; }

    /// <summary>Data folder.</summary>
    public string? DataDir { get; set; }

    /// <summary>Resume.</summary>
    [Option("resume", HelpText = "continue the run whose checkpoint is in --out")]
    public bool Resume { get; set; }

    /// <summary>Preset.</summary>
    [Option("preset", HelpText = "default; plain (Adam 0.001 constant, no augmentation: the PyTorch comparison recipe); notebook (SGD lr 0.001, 10 epochs, mean/std 0.1307/0.3015)")]
    public string? Preset { get; set; }

    /// <summary>XOR data seed.</summary>
    [Option("data-seed", HelpText = "xor: seed of the data draw (default 0, the notebook's; the test set uses the next)")]
    public uint? DataSeed { get; set; }

    /// <summary>What the exported graph takes: float (default) or uint8 pixels.</summary>
    public string? Input { get; set; }

    /// <summary>Label column of a CSV table.</summary>
    [Option("label-column", HelpText = "CSV tables: the column to predict (default: the last column); several comma-separated columns train a multi-output regression")]
    public string? LabelColumn { get; set; }

    /// <summary>Classification or regression on a CSV table.</summary>
    [Option("task", HelpText = "CSV tables: classification or regression (default: regression when the label holds numbers with over 20 different values or any fraction, else classification; the choice is printed)")]
    public string? Task { get; set; }

    /// <summary>The loss of a regression.</summary>
    [Option("loss", HelpText = "regression: mse (default), huber or mae; classifiers train with cross-entropy")]
    public string? Loss { get; set; }

    /// <summary>Columns of a CSV table that are not features.</summary>
    [Option("ignore-columns", Separator = ',', HelpText = "CSV tables: columns that are not features (an id, a name), comma-separated; recorded in the model card")]
    public IEnumerable<string>? IgnoreColumns { get; set; }

    /// <summary>Test fraction.</summary>
    [Option("test-fraction", HelpText = "one CSV file or an image folder without train/ and test/: the share split off for testing, stratified (default 0.2)")]
    public double? TestFraction { get; set; }

    /// <summary>Split seed.</summary>
    [Option("split-seed", HelpText = "seed of that split (default 0); recorded in the model card")]
    public int? SplitSeed { get; set; }

    /// <summary>Channels.</summary>
    [Option("channels", HelpText = "image folders: 1 (grey) or 3 (RGB); default 3 when any training image has colour")]
    public int? Channels { get; set; }

    /// <summary>Image size.</summary>
    [Option("image-size", HelpText = "image folders: N or HxW; default the images' size when they share one, else the median, capped at 64")]
    public string? ImageSize { get; set; }

    /// <summary>Strict.</summary>
    [Option("strict", HelpText = "image folders: fail on an unreadable image instead of skipping it")]
    public bool Strict { get; set; }

    /// <summary>Skip ONNX export.</summary>
    [Option("no-export", HelpText = "do not write model.onnx")]
    public bool NoExport { get; set; }

    /// <summary>Quiet.</summary>
    [Option('q', "quiet", HelpText = "print only the final summary and errors")]
    public bool Quiet { get; set; }
}
