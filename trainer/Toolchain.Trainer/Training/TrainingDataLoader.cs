using Toolchain.Contracts;
using Toolchain.Data;
using Toolchain.Data.Images;
using Toolchain.Data.Tables;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Training;

/// <summary>What a run asks of its data, beyond the dataset's name: the options that shape it and a fixed normalisation.</summary>
/// <param name="Dataset">"xor", "auto", a catalog name, an IDX or image folder, or a CSV table.</param>
/// <param name="DataRoot">Where catalog datasets live.</param>
/// <param name="Options">The run's options (data seed, label column, split, channels, size, strictness).</param>
/// <param name="Normalization">Per-channel mean and std to use (a resumed or exported run's), or null for the training split's own.</param>
public sealed record DataRequest(string Dataset, string DataRoot, TrainingOptions Options, (double[] Means, double[] Stds)? Normalization = null)
{
    /// <summary>Where decoded image folders are cached (the repository's artifacts/cache), or null for no cache.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Told (done, total) while an image folder is decoded, or null.</summary>
    public Action<int, int>? Progress { get; init; }
}

/// <summary>
/// Loads the data a run names: the XOR draw, a CSV table, an image folder, or an IDX dataset through
/// <see cref="DatasetResolver"/>.
/// </summary>
public static class TrainingDataLoader
{
    /// <summary>The dataset name of the XOR model.</summary>
    public const string Xor = XorDataset.Name;

    /// <summary>
    /// Loads <paramref name="dataset"/> ("xor", "auto", a catalog name or a folder). XOR trains on the draw with
    /// <paramref name="dataSeed"/> and tests on the next seed's draw. Images are normalised by the given mean and std,
    /// or by the training split's own when null. Returns the data and the resolved dataset spec to record.
    /// </summary>
    public static (TrainingData Data, string Resolved) Load(string dataset, uint dataSeed, string dataRoot, double? mean, double? std,
        Device device, Action<string>? notice)
    {
        var options = ModelPresets.Default(BuiltInModel.Mlp) with { Dataset = dataset, DataSeed = dataSeed };
        (double[], double[])? normalization = mean is { } m && std is { } s ? ([m], [s]) : null;
        return Load(new DataRequest(dataset, dataRoot, options, normalization), device, notice);
    }

    /// <summary>Loads the data of <paramref name="request"/>; returns it and the resolved dataset spec to record.</summary>
    public static (TrainingData Data, string Resolved) Load(DataRequest request, Device device, Action<string>? notice)
    {
        var (dataset, options) = (request.Dataset, request.Options);
        if (dataset == Xor)
        {
            var (trainX, trainY) = XorDataset.Generate(options.DataSeed);
            var (testX, testY) = XorDataset.Generate(unchecked(options.DataSeed + 1));
            return (TrainingData.FromXor(trainX, trainY, testX, testY, device), Xor);
        }
        if (TableDataset.IsTable(dataset))
        {
            var table = TableDataset.Load(dataset, options.LabelColumn, options.TestFraction, options.SplitSeed, notice, options.IgnoreColumns, options.Task);
            return (TrainingData.FromTable(table, device, notice), table.Name);
        }
        if (ImageFolderDataset.IsImageFolder(dataset))
        {
            var folder = ImageFolderDataset.Load(dataset, FolderOptions(request), notice);
            var data = TrainingData.FromImages(folder.Dataset, Fit(request.Normalization, folder.Dataset.Train.Channels), device);
            var provenance = new Dictionary<string, string>
            {
                ["channels"] = folder.Dataset.Train.Channels.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["image_size"] = $"{folder.Dataset.Train.Rows}x{folder.Dataset.Train.Cols}",
                ["resize"] = "shorter side, then centre crop",
            };
            if (folder.TestFraction is { } fraction)
            {
                provenance.RecordTestFraction(fraction);
                provenance.RecordSplitSeed(folder.SplitSeed);
            }
            if (folder.Skipped.Count > 0)
            {
                provenance["skipped_images"] = folder.Skipped.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            return (data.WithImageFolderFacts(provenance), folder.Dataset.Name);
        }
        var loaded = DatasetResolver.Load(dataset, request.DataRoot, notice);
        if (loaded.Train.Count == 0 || loaded.Test.Count == 0)
        {
            throw new ToolchainException($"{loaded.Directory}: the dataset needs both a training and a test split with images");
        }
        // A folder is recorded by its full path; a catalog dataset by its name, so 'auto' records what it chose.
        bool isFolder = dataset != "auto" && (Directory.Exists(dataset) || dataset.Contains('/'));
        var resolved = isFolder ? Path.GetFullPath(dataset) : loaded.Name;
        return (TrainingData.FromImages(loaded, Fit(request.Normalization, loaded.Train.Channels), device), resolved);
    }

    /// <summary>The image-folder options of a request.</summary>
    public static ImageFolderOptions FolderOptions(DataRequest request) => new()
    {
        Channels = request.Options.Channels,
        ImageSize = request.Options.ImageSize,
        TestFraction = request.Options.TestFraction,
        SplitSeed = request.Options.SplitSeed,
        Strict = request.Options.Strict,
        CacheDirectory = request.CacheDirectory,
        Progress = request.Progress,
    };

    /// <summary>A fixed normalisation stretched to <paramref name="channels"/> when it holds one value for all.</summary>
    private static (double[], double[])? Fit((double[] Means, double[] Stds)? normalization, int channels) =>
        normalization is { } n && n.Means.Length == 1 && channels > 1
            ? (Enumerable.Repeat(n.Means[0], channels).ToArray(), Enumerable.Repeat(n.Stds[0], channels).ToArray())
            : normalization;

    /// <summary>
    /// Whether two --dataset values name the same data: the same text, or the same folder once resolved, so that a
    /// catalog name and its folder, or auto and the dataset it picks, count as one.
    /// </summary>
    public static bool SameDataset(string dataset, string other, string dataRoot)
    {
        if (dataset == other)
        {
            return true;
        }
        if (dataset == Xor || other == Xor)
        {
            return false;
        }
        if (TableDataset.IsTable(dataset) || ImageFolderDataset.IsImageFolder(dataset))
        {
            return Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataset)) == Path.TrimEndingDirectorySeparator(other);
        }
        static string Folder(string d, string root) => Path.TrimEndingDirectorySeparator(DatasetResolver.Load(d, root).Directory);
        return Folder(dataset, dataRoot) == Folder(other, dataRoot);
    }
}
