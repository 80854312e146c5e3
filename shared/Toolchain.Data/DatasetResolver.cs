using Toolchain.Contracts;

namespace Toolchain.Data;

/// <summary>
/// Turns a user's <c>--dataset</c> value into loaded data: <c>auto</c>, a catalog name or a folder of IDX files.
/// </summary>
/// <remarks>
/// Catalog names win over folders of the same name (pass <c>./mnist</c> for the folder). A folder is read as the
/// four standard IDX files (<c>.gz</c> or raw); its classes are "0".."9" unless it holds a <c>classes.txt</c> with one
/// class name per line, in label order.
/// </remarks>
public static class DatasetResolver
{
    /// <summary>The value that picks full MNIST when available and the bundled sample otherwise.</summary>
    public const string Auto = "auto";

    /// <summary>The optional file naming a custom folder's classes, one per line.</summary>
    public const string ClassNamesFile = "classes.txt";

    /// <summary>
    /// Loads <paramref name="nameOrDir"/>. <c>auto</c> means full MNIST when present under <paramref name="dataRoot"/> or
    /// downloadable, else the bundled sample, reporting the fallback through <paramref name="notice"/>.
    /// An explicit name never falls back. Failures throw <see cref="ToolchainException"/> with one line.
    /// </summary>
    public static LoadedDataset Load(string nameOrDir, string dataRoot, Action<string>? notice = null) =>
        Load(nameOrDir, dataRoot, notice, new DatasetResolverOptions());

    /// <inheritdoc cref="Load(string, string, Action{string}?)"/>
    /// <param name="nameOrDir"><c>auto</c>, a catalog name or a folder.</param>
    /// <param name="dataRoot">The folder holding one subfolder per catalog dataset.</param>
    /// <param name="notice">Receives one-line notices, such as the fallback to the sample.</param>
    /// <param name="options">Catalog, downloader and download policy.</param>
    public static LoadedDataset Load(string nameOrDir, string dataRoot, Action<string>? notice, DatasetResolverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(nameOrDir))
        {
            throw new ToolchainException("no dataset given: use auto, a dataset name or a folder of IDX files");
        }
        if (string.Equals(nameOrDir, Auto, StringComparison.OrdinalIgnoreCase))
        {
            return LoadAuto(dataRoot, notice, options);
        }
        if (options.Catalog.Find(nameOrDir) is { } entry)
        {
            return LoadEntry(entry, dataRoot, options);
        }
        if (Directory.Exists(nameOrDir))
        {
            return LoadFolder(nameOrDir);
        }
        throw new ToolchainException(
            $"unknown dataset '{nameOrDir}': use {Auto}, {string.Join(", ", options.Catalog.Names)} or a folder of IDX files");
    }

    /// <summary>The folder a catalog dataset is kept in under <paramref name="dataRoot"/>.</summary>
    public static string FolderOf(DatasetEntry entry, string dataRoot) => Path.Combine(dataRoot, entry.FolderName);

    private static LoadedDataset LoadAuto(string dataRoot, Action<string>? notice, DatasetResolverOptions options)
    {
        var mnist = Require(options.Catalog, DatasetCatalog.Mnist);
        var folder = FolderOf(mnist, dataRoot);
        if (IdxFileNames.AllPresent(folder))
        {
            return ReadEntry(mnist, folder);
        }
        string why;
        if (options.AllowDownload && mnist.Mirrors.Count > 0)
        {
            try
            {
                Fetch(mnist, folder, options);
                return ReadEntry(mnist, folder);
            }
            catch (DatasetDownloadException)
            {
                why = "is not downloaded and no mirror answered";
            }
        }
        else
        {
            why = "is not downloaded";
        }
        var sample = Require(options.Catalog, DatasetCatalog.MnistSample);
        var loaded = LoadEntry(sample, dataRoot, options);
        notice?.Invoke($"full MNIST {why}; using the bundled sample ({loaded.Train.Count + loaded.Test.Count:N0} digits, " +
            $"--dataset {sample.Name}). Run 'trainer data fetch {mnist.Name}' for the full set.");
        return loaded;
    }

    private static LoadedDataset LoadEntry(DatasetEntry entry, string dataRoot, DatasetResolverOptions options)
    {
        var folder = FolderOf(entry, dataRoot);
        if (IdxFileNames.AllPresent(folder))
        {
            return ReadEntry(entry, folder);
        }
        foreach (var system in entry.SystemFolders)
        {
            if (IdxFileNames.AllPresent(system))
            {
                return ReadEntry(entry, system);
            }
        }
        if (entry.Name == DatasetCatalog.MnistSample
            && (options.BundledSampleDirectory ?? DataPaths.FindBundledSample()) is { } bundled
            && IdxFileNames.AllPresent(bundled))
        {
            return ReadEntry(entry, bundled);
        }
        if (entry.Mirrors.Count == 0)
        {
            throw new ToolchainException(
                $"{entry.Name} is missing: expected its four IDX files in {Path.GetFullPath(folder)}");
        }
        if (!options.AllowDownload)
        {
            throw new ToolchainException(
                $"{entry.Name} is not downloaded: expected its files in {Path.GetFullPath(folder)}; run 'trainer data fetch {entry.Name}'");
        }
        Fetch(entry, folder, options);
        return ReadEntry(entry, folder);
    }

    private static void Fetch(DatasetEntry entry, string folder, DatasetResolverOptions options)
    {
        var missing = entry.Files
            .Where(f => IdxFileNames.Locate(folder, f.FileName.Replace(".gz", "", StringComparison.Ordinal)) is null)
            .ToList();
        if (options.Downloader is { } shared)
        {
            shared.Download(entry, folder, options.Progress, missing);
            return;
        }
        using var downloader = new DatasetDownloader();
        downloader.Download(entry, folder, options.Progress, missing);
    }

    /// <summary>Reads a catalog dataset's folder, checking checksums where the entry asks and the expected shape.</summary>
    private static LoadedDataset ReadEntry(DatasetEntry entry, string folder)
    {
        var paths = LocateAll(folder);
        if (entry.VerifyLocalCopy)
        {
            foreach (var file in entry.Files)
            {
                var path = Path.Combine(folder, file.FileName);
                if (!File.Exists(path))
                {
                    throw new InvalidInputFileException(path, $"file not found (the {entry.Name} files are checked by their {file.Checksum.DisplayName})");
                }
                var actual = file.Checksum.Compute(path);
                if (actual != file.Checksum.Hex)
                {
                    throw new InvalidInputFileException(path,
                        $"{file.Checksum.DisplayName} is {actual}, expected {file.Checksum.Hex}: the file is damaged or was replaced");
                }
            }
        }
        var train = IdxReader.ReadSplit(paths[0], paths[1], entry.ClassNames.Count);
        var test = IdxReader.ReadSplit(paths[2], paths[3], entry.ClassNames.Count);
        CheckShape(entry, paths[0], train, entry.TrainCount);
        CheckShape(entry, paths[2], test, entry.TestCount);
        return new LoadedDataset(entry.Name, Path.GetFullPath(folder), train, test, entry.ClassNames) { Digits = entry.Digits };
    }

    private static void CheckShape(DatasetEntry entry, string path, ImageSet set, int expectedCount)
    {
        if (set.Count != expectedCount || set.Rows != entry.Rows || set.Cols != entry.Cols)
        {
            throw new InvalidInputFileException(path,
                $"holds {set.Count} images of {set.Rows}x{set.Cols}, but {entry.Name} has {expectedCount} of {entry.Rows}x{entry.Cols}");
        }
    }

    private static LoadedDataset LoadFolder(string folder)
    {
        var paths = LocateAll(folder);
        var named = ReadClassNames(folder);
        var train = IdxReader.ReadSplit(paths[0], paths[1], named?.Count ?? MaxClasses);
        var test = IdxReader.ReadSplit(paths[2], paths[3], named?.Count ?? MaxClasses);
        var classNames = named ?? NumberedClasses(train, test);
        if (train.Rows != test.Rows || train.Cols != test.Cols)
        {
            throw new InvalidInputFileException(paths[2],
                $"holds {test.Rows}x{test.Cols} images but the train split's are {train.Rows}x{train.Cols}");
        }
        var full = Path.GetFullPath(folder);
        // A folder of IDX files is taken for MNIST's kind, as the format was made for it.
        return new LoadedDataset(full, full, train, test, classNames) { Digits = true };
    }

    /// <summary>IDX labels are bytes.</summary>
    private const int MaxClasses = 256;

    /// <summary>
    /// Without <see cref="ClassNamesFile"/> the classes are numbered 0..N-1, N being one more than the largest label
    /// in either split: 10 for MNIST-like folders, 3 for a folder labelled 0..2, 26 for EMNIST letters.
    /// </summary>
    private static IReadOnlyList<string> NumberedClasses(ImageSet train, ImageSet test)
    {
        var count = 1 + Math.Max(train.Labels.DefaultIfEmpty().Max(), test.Labels.DefaultIfEmpty().Max());
        return [.. Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    }

    private static IReadOnlyList<string>? ReadClassNames(string folder)
    {
        var path = Path.Combine(folder, ClassNamesFile);
        if (!File.Exists(path))
        {
            return null;
        }
        var names = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (names.Count is 0 or > 256)
        {
            throw new InvalidInputFileException(path, $"must name between 1 and 256 classes, one per line (found {names.Count})");
        }
        return names;
    }

    private static string[] LocateAll(string folder)
    {
        var paths = IdxFileNames.All.Select(name => IdxFileNames.Locate(folder, name)).ToArray();
        var missing = IdxFileNames.All.Where((_, i) => paths[i] is null).ToList();
        if (missing.Count > 0)
        {
            throw new ToolchainException(
                $"{Path.GetFullPath(folder)}: missing {string.Join(", ", missing.Select(m => m + "[.gz]"))}");
        }
        return paths!;
    }

    private static DatasetEntry Require(DatasetCatalog catalog, string name) =>
        catalog.Find(name) ?? throw new ToolchainException($"the dataset catalog has no '{name}' entry");
}
