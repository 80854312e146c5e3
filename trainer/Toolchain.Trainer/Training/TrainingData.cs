using System.Globalization;
using Toolchain.Contracts;
using Toolchain.Data;
using Toolchain.Data.Tables;
using TorchSharp;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Training;

/// <summary>What kind of inputs a dataset has, which decides the task, the loss target and the export.</summary>
public enum DataKind
{
    /// <summary>The notebook's XOR points: two float64 features, one probability.</summary>
    Xor,

    /// <summary>Rows of a CSV table: float32 features, one logit per class, normalised inside the exported graph.</summary>
    Table,

    /// <summary>Images (C×H×W), one logit per class.</summary>
    Image,
}

/// <summary>
/// Both splits held as tensors on the training device, normalised once, so that a batch is one index_select.
/// Images are [N,C,H,W] float32 scaled to [0,1] then normalised per channel by <see cref="ChannelMeans"/> and
/// <see cref="ChannelStds"/>; table rows are [N,F] float32 normalised per feature by <see cref="FeatureMeans"/> and
/// <see cref="FeatureStds"/> (the exported graph does that itself); labels are int64 class ids. XOR features are
/// [N,2] float64 with [N,1] float64 labels, unnormalised, as in the notebook.
/// </summary>
public sealed class TrainingData : IDisposable
{
    private TrainingData(DataKind kind, string name, Tensor trainX, Tensor trainY, Tensor testX, Tensor testY, long[] inputShape,
        IReadOnlyList<string> classNames, double[] channelMeans, double[] channelStds)
    {
        Kind = kind;
        Name = name;
        TrainX = trainX;
        TrainY = trainY;
        TestX = testX;
        TestY = testY;
        InputShape = inputShape;
        ClassNames = classNames;
        ChannelMeans = channelMeans;
        ChannelStds = channelStds;
    }

    /// <summary>Xor points, table rows or images.</summary>
    public DataKind Kind { get; }

    /// <summary>Dataset name as recorded in results.</summary>
    public string Name { get; }

    /// <summary>Training inputs (without the validation rows once <see cref="CarveValidation"/> has run).</summary>
    public Tensor TrainX { get; private set; }

    /// <summary>Training targets.</summary>
    public Tensor TrainY { get; private set; }

    /// <summary>Validation inputs carved from the training split, or null when there are none.</summary>
    public Tensor? ValidationX { get; private set; }

    /// <summary>Validation targets, or null.</summary>
    public Tensor? ValidationY { get; private set; }

    /// <summary>Validation examples (0 for none).</summary>
    public int ValidationCount => ValidationX is null ? 0 : (int)ValidationX.shape[0];

    /// <summary>Test inputs.</summary>
    public Tensor TestX { get; }

    /// <summary>Test targets.</summary>
    public Tensor TestY { get; }

    /// <summary>Input shape without the batch axis.</summary>
    public long[] InputShape { get; }

    /// <summary>Class names, index = class id.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Per-channel normalisation means of images scaled to [0,1] (one 0 for XOR and tables).</summary>
    public double[] ChannelMeans { get; }

    /// <summary>Per-channel normalisation stds (one 1 for XOR and tables).</summary>
    public double[] ChannelStds { get; }

    /// <summary>The normalisation mean of a single-channel dataset, or the channels' average (the card's scalar).</summary>
    public double Mean => ChannelMeans.Average();

    /// <summary>The normalisation std of a single-channel dataset, or the channels' average.</summary>
    public double Std => ChannelStds.Average();

    /// <summary>Table features' names in input order (empty for images and XOR).</summary>
    public IReadOnlyList<string> FeatureNames { get; private init; } = [];

    /// <summary>Table features' training means, applied inside the exported graph (empty for images and XOR).</summary>
    public double[] FeatureMeans { get; private init; } = [];

    /// <summary>Table features' training stds (1 for a constant column), applied inside the exported graph.</summary>
    public double[] FeatureStds { get; private init; } = [];

    /// <summary>A regression's target columns in output order; empty for classifiers.</summary>
    public IReadOnlyList<string> TargetNames { get; private init; } = [];

    /// <summary>A regression's training target means: the network learns (target − mean) / std, and the export undoes it.</summary>
    public double[] TargetMeans { get; private init; } = [];

    /// <summary>A regression's training target standard deviations (population), beside <see cref="TargetMeans"/>.</summary>
    public double[] TargetStds { get; private init; } = [];

    /// <summary>Whether the data is a regression: targets are float32 [N, targets], standardised by the training split.</summary>
    public bool IsRegression => TargetNames.Count > 0;

    /// <summary>Outputs the network ends in: one per target, one per class, or xor's one probability.</summary>
    public int OutputWidth => IsRegression ? TargetNames.Count : IsXor ? 1 : ClassNames.Count;

    /// <summary>Facts about the data to record in the card's hyperparameters (label column, split, image options).</summary>
    public IReadOnlyDictionary<string, string> Provenance { get; private set; } = new Dictionary<string, string>();

    /// <summary>The pixel convention of the images: MNIST's white-on-black for IDX files, as stored for image folders.</summary>
    public PixelConvention PixelConvention { get; private set; } = PixelConvention.WhiteOnBlack;

    /// <summary>Training examples.</summary>
    public int TrainCount => (int)TrainX.shape[0];

    /// <summary>Test examples.</summary>
    public int TestCount => (int)TestX.shape[0];

    /// <summary>Whether the inputs are images.</summary>
    public bool IsImage => Kind == DataKind.Image;

    /// <summary>
    /// Whether the images are a set of handwritten digits as MNIST was built (the dataset says so: <see
    /// cref="LoadedDataset.Digits"/>), which inference prepares as digits (the card's digit preprocessing mode).
    /// Pictures read from image folders never are.
    /// </summary>
    public bool IsDigitSet { get; private set; }

    /// <summary>
    /// Whether the images are digits: a digit set, or any image data whose classes are named by single digits (folders
    /// 0 to 9). A mirrored digit is another glyph or none, so augmentation does not flip digits.
    /// </summary>
    public bool IsDigits => IsDigitSet || (IsImage && ClassNames.Count >= 2 && ClassNames.All(n => n.Length == 1 && char.IsAsciiDigit(n[0])));

    /// <summary>Whether this is the XOR data (binary, one sigmoid output).</summary>
    public bool IsXor => Kind == DataKind.Xor;

    /// <summary>
    /// Puts an image dataset on <paramref name="device"/>, normalised by the given mean and std, or by the training
    /// split's own pixel mean and std when they are null.
    /// </summary>
    public static TrainingData FromImages(LoadedDataset dataset, double? mean, double? std, Device device) =>
        FromImages(dataset, mean is { } m && std is { } s ? (Enumerable.Repeat(m, dataset.Train.Channels).ToArray(), Enumerable.Repeat(s, dataset.Train.Channels).ToArray()) : null, device);

    /// <summary>
    /// Puts an image dataset on <paramref name="device"/>, normalised per channel by <paramref name="normalization"/>,
    /// or by the training split's own per-channel mean and std when it is null.
    /// </summary>
    public static TrainingData FromImages(LoadedDataset dataset, (double[] Means, double[] Stds)? normalization, Device device)
    {
        var (means, stds) = normalization ?? Own(dataset.Train);
        if (stds.All(s => !(s > 0)))
        {
            throw new ToolchainException($"{dataset.Directory}: the training images are all one value; cannot normalise");
        }
        // A colour channel that never varies (green in red/blue pictures) carries nothing to scale: divide it by 1.
        stds = stds.Select(s => s > 0 ? s : 1).ToArray();
        var train = dataset.Train;
        return new TrainingData(DataKind.Image, dataset.Name,
            Images(train, means, stds, device), Labels(train.Labels, device),
            Images(dataset.Test, means, stds, device), Labels(dataset.Test.Labels, device),
            [train.Channels, train.Rows, train.Cols], dataset.ClassNames, means, stds)
        {
            IsDigitSet = dataset.Digits,
        };
    }

    private static (double[], double[]) Own(ImageSet train)
    {
        var stats = train.Channels == 1 ? [PixelStatistics.Compute(train)] : PixelStatistics.PerChannel(train);
        return (stats.Select(s => s.Mean).ToArray(), stats.Select(s => s.Std).ToArray());
    }

    /// <summary>
    /// Puts a table on <paramref name="device"/> as float32, each feature normalised by the training split's mean and
    /// std. A constant column (std 0) is divided by 1 instead and reported through <paramref name="warn"/>.
    /// </summary>
    public static TrainingData FromTable(LoadedTable table, Device device, Action<string>? warn = null)
    {
        int width = table.FeatureNames.Count;
        var (means, stds) = ColumnStatistics(table.Train.Features, width);
        for (int f = 0; f < width; f++)
        {
            if (!(stds[f] > 1e-12 * Math.Max(1, Math.Abs(means[f]))))
            {
                warn?.Invoke($"warning: column '{table.FeatureNames[f]}' is constant ({means[f].ToString("G6", System.Globalization.CultureInfo.InvariantCulture)}) in the training data; it carries no information (not scaled)");
                stds[f] = 1;
            }
        }
        // Standardised as the exported graph's Sub/Div head does it (float32 throughout), not in double.
        Tensor X(TableSplit s) =>
            tensor(FeatureStandardization.Apply(s.Features, means, stds), [s.Count, width]).to(device);
        var provenance = new Dictionary<string, string>();
        provenance.RecordLabelColumn(table.LabelColumn);
        provenance.RecordIgnoredColumns(table.IgnoredColumns);
        if (table.TestFraction is { } fraction)
        {
            provenance.RecordTestFraction(fraction);
            provenance.RecordSplitSeed(table.SplitSeed);
        }
        if (table.IsRegression)
        {
            int targets = table.TargetColumns.Count;
            var (targetMeans, targetStds) = ColumnStatistics(table.Train.Targets, targets);
            // Standardised in double, then float32: the export's Mul and Add take the same mean and std back.
            Tensor Y(TableSplit s) => tensor(FeatureStandardization.Apply(s.Targets, targetMeans, targetStds), [s.Count, targets]).to(device);
            provenance["task"] = "regression";
            return new TrainingData(DataKind.Table, table.Name, X(table.Train), Y(table.Train), X(table.Test), Y(table.Test),
                [width], [], [0], [1])
            {
                FeatureNames = table.FeatureNames,
                FeatureMeans = means,
                FeatureStds = stds,
                TargetNames = table.TargetColumns,
                TargetMeans = targetMeans,
                TargetStds = targetStds,
                Provenance = provenance,
                PixelConvention = PixelConvention.RawFeatures,
            };
        }
        return new TrainingData(DataKind.Table, table.Name, X(table.Train), Labels(table.Train.Labels, device), X(table.Test), Labels(table.Test.Labels, device),
            [width], table.ClassNames, [0], [1])
        {
            FeatureNames = table.FeatureNames,
            FeatureMeans = means,
            FeatureStds = stds,
            Provenance = provenance,
            PixelConvention = PixelConvention.RawFeatures,
        };
    }

    /// <summary>
    /// The mean and population standard deviation (as scikit-learn's StandardScaler) of each of the
    /// <paramref name="width"/> columns of row-major <paramref name="values"/>.
    /// </summary>
    public static (double[] Means, double[] Stds) ColumnStatistics(double[] values, int width)
    {
        int n = values.Length / width;
        var means = new double[width];
        var stds = new double[width];
        for (int f = 0; f < width; f++)
        {
            double sum = 0;
            for (int r = 0; r < n; r++)
            {
                sum += values[(r * width) + f];
            }
            means[f] = sum / n;
            double squares = 0;
            for (int r = 0; r < n; r++)
            {
                var d = values[(r * width) + f] - means[f];
                squares += d * d;
            }
            stds[f] = Math.Sqrt(squares / n);
        }
        return (means, stds);
    }

    /// <summary>This image data as read from an image folder: pixels as stored, and the folder's facts for the card.</summary>
    public TrainingData WithImageFolderFacts(IReadOnlyDictionary<string, string> provenance)
    {
        PixelConvention = PixelConvention.AsStored;
        IsDigitSet = false;
        Provenance = provenance;
        return this;
    }

    /// <summary>Puts XOR points (row-major N×2) and 0/1 labels on <paramref name="device"/> as float64.</summary>
    public static TrainingData FromXor(double[] trainFeatures, double[] trainLabels, double[] testFeatures, double[] testLabels, Device device)
    {
        static Tensor X(double[] f, Device d) => tensor(f, [f.Length / 2, 2], float64).to(d);
        static Tensor Y(double[] l, Device d) => tensor(l, [l.Length, 1], float64).to(d);
        return new TrainingData(DataKind.Xor, XorDataset.Name, X(trainFeatures, device), Y(trainLabels, device), X(testFeatures, device), Y(testLabels, device),
            [2], ["0", "1"], [0], [1])
        {
            PixelConvention = PixelConvention.RawFeatures,
        };
    }

    /// <summary>Scales bytes to [0,1] and normalises them, the same way for training and for export verification.</summary>
    public static Tensor Images(ImageSet set, double mean, double std, Device device) =>
        Images(set, Enumerable.Repeat(mean, set.Channels).ToArray(), Enumerable.Repeat(std, set.Channels).ToArray(), device);

    /// <summary>Scales bytes to [0,1] and normalises each channel by its own mean and std.</summary>
    public static Tensor Images(ImageSet set, double[] means, double[] stds, Device device)
    {
        using var scope = NewDisposeScope();
        var raw = tensor(set.Pixels, [set.Count, set.Channels, set.Rows, set.Cols]);
        var x = raw.to(float32).div_(255.0);
        if (means.Distinct().Count() == 1 && stds.Distinct().Count() == 1)
        {
            x = x.sub_(means[0]).div_(stds[0]);
        }
        else
        {
            var m = tensor(means.Select(v => (float)v).ToArray(), [1, means.Length, 1, 1]);
            var s = tensor(stds.Select(v => (float)v).ToArray(), [1, stds.Length, 1, 1]);
            x = x.sub_(m).div_(s);
        }
        return x.to(device).MoveToOuterDisposeScope();
    }

    private static Tensor Labels(byte[] labels, Device device)
    {
        using var scope = NewDisposeScope();
        return tensor(labels, [labels.Length]).to(int64).to(device).MoveToOuterDisposeScope();
    }

    private static Tensor Labels(int[] labels, Device device)
    {
        using var scope = NewDisposeScope();
        return tensor(labels, [labels.Length]).to(int64).to(device).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Holds out <paramref name="fraction"/> of the training rows for validation: per class, the rows in an order drawn
    /// from <paramref name="seed"/>, the first round(count × fraction) of each class with at least two rows (so every
    /// class keeps training rows). The same data, fraction and seed always carve the same rows, which a resumed run
    /// relies on. The normalisation stays the one computed over the whole training split, as the card records it.
    /// </summary>
    public void CarveValidation(double fraction, int seed)
    {
        if (fraction <= 0 || ValidationX is not null || IsXor)
        {
            return;
        }
        // A regression's rows are one stratum: its targets are numbers, not classes to keep in proportion.
        var labels = IsRegression ? new long[TrainX.shape[0]] : TrainY.cpu().data<long>().ToArray();
        var random = new Random(seed);
        var held = new List<long>();
        var kept = new List<long>();
        foreach (var group in Enumerable.Range(0, labels.Length).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var rows = group.Select(i => (long)i).ToArray();
            random.Shuffle(rows);
            int take = rows.Length < 2 ? 0 : Math.Min(rows.Length - 1, (int)Math.Round(rows.Length * fraction, MidpointRounding.AwayFromZero));
            held.AddRange(rows.Take(take));
            kept.AddRange(rows.Skip(take));
        }
        if (held.Count == 0)
        {
            throw new ToolchainException(string.Create(CultureInfo.InvariantCulture,
                $"--validation {fraction}: {Name} has too few training examples per class ({TrainCount} in all) to hold any out for validation"));
        }
        held.Sort();
        kept.Sort();
        using var scope = NewDisposeScope();
        var heldIndex = tensor(held.ToArray()).to(TrainX.device);
        var keptIndex = tensor(kept.ToArray()).to(TrainX.device);
        var (x, y) = (TrainX, TrainY);
        ValidationX = x.index_select(0, heldIndex).MoveToOuterDisposeScope();
        ValidationY = y.index_select(0, heldIndex).MoveToOuterDisposeScope();
        TrainX = x.index_select(0, keptIndex).MoveToOuterDisposeScope();
        TrainY = y.index_select(0, keptIndex).MoveToOuterDisposeScope();
        x.Dispose();
        y.Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        TrainX.Dispose();
        TrainY.Dispose();
        ValidationX?.Dispose();
        ValidationY?.Dispose();
        TestX.Dispose();
        TestY.Dispose();
    }
}
