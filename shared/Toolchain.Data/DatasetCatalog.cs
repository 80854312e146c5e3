namespace Toolchain.Data;

/// <summary>A checksum a downloaded or bundled file must match.</summary>
/// <param name="Algorithm">"MD5" or "SHA256".</param>
/// <param name="Hex">Expected digest, lowercase hex.</param>
public sealed record FileChecksum(string Algorithm, string Hex)
{
    /// <summary>An MD5 checksum.</summary>
    public static FileChecksum Md5(string hex) => new("MD5", hex.ToLowerInvariant());

    /// <summary>A SHA-256 checksum.</summary>
    public static FileChecksum Sha256(string hex) => new("SHA256", hex.ToLowerInvariant());

    /// <summary>The name users read: "MD5" or "SHA-256".</summary>
    public string DisplayName => Algorithm == "SHA256" ? "SHA-256" : Algorithm;

    /// <summary>A fresh incremental hasher for <see cref="Algorithm"/>.</summary>
    public System.Security.Cryptography.IncrementalHash CreateHasher() =>
        System.Security.Cryptography.IncrementalHash.CreateHash(new System.Security.Cryptography.HashAlgorithmName(Algorithm));

    /// <summary>The digest of the file at <paramref name="path"/> with this checksum's algorithm, lowercase hex.</summary>
    public string Compute(string path)
    {
        using var hasher = CreateHasher();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var buffer = new byte[1 << 16];
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            hasher.AppendData(buffer, 0, n);
        }
        return Convert.ToHexStringLower(hasher.GetHashAndReset());
    }
}

/// <summary>One file of a catalog dataset: its name on the mirrors and on disk, and its checksum.</summary>
/// <param name="FileName">File name, e.g. <c>train-images-idx3-ubyte.gz</c>.</param>
/// <param name="Checksum">What the file as published must hash to.</param>
public sealed record DatasetFile(string FileName, FileChecksum Checksum);

/// <summary>A dataset the toolchain knows by name.</summary>
/// <param name="Name">The name users type (<c>--dataset mnist</c>).</param>
/// <param name="FolderName">Its folder under the data root.</param>
/// <param name="Mirrors">Base URLs tried in order; each file is fetched as base + file name. Empty: not downloadable.</param>
/// <param name="Files">Train images, train labels, test images, test labels, in that order.</param>
/// <param name="ClassNames">Class names, index = label.</param>
/// <param name="TrainCount">Images in the train split of a complete copy.</param>
/// <param name="TestCount">Images in the test split of a complete copy.</param>
/// <param name="Rows">Image height.</param>
/// <param name="Cols">Image width.</param>
/// <param name="SystemFolders">
/// Read-only copies installed by the OS (e.g. Debian's <c>dataset-fashion-mnist</c>). They may be re-compressed, so
/// they are accepted by validating their structure and shape, not their archive hash.
/// </param>
/// <param name="VerifyLocalCopy">Whether files already on disk are checked against <see cref="DatasetFile.Checksum"/> before use.</param>
/// <param name="OfflineHint">The way out offered when no mirror answers, after "copy the files into the folder".</param>
/// <param name="Digits">
/// Whether its images are handwritten digits as MNIST was built (inference then finds, crops and centres the ink),
/// rather than other pictures (Fashion-MNIST's clothes), which are resized whole.
/// </param>
public sealed record DatasetEntry(
    string Name,
    string FolderName,
    IReadOnlyList<Uri> Mirrors,
    IReadOnlyList<DatasetFile> Files,
    IReadOnlyList<string> ClassNames,
    int TrainCount,
    int TestCount,
    int Rows,
    int Cols,
    IReadOnlyList<string> SystemFolders,
    bool VerifyLocalCopy = false,
    string? OfflineHint = null,
    bool Digits = false);

/// <summary>The datasets known by name, with their mirrors and checksums. <see cref="Default"/> is the real one.</summary>
public sealed class DatasetCatalog
{
    /// <summary>Full MNIST, 60,000 + 10,000 digits.</summary>
    public const string Mnist = "mnist";

    /// <summary>The 9,000 real MNIST digits bundled in <c>data/mnist-sample</c>.</summary>
    public const string MnistSample = "mnist-sample";

    /// <summary>Zalando's Fashion-MNIST, 60,000 + 10,000 clothing images.</summary>
    public const string FashionMnist = "fashion-mnist";

    private static readonly IReadOnlyList<string> DigitNames = [.. Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private readonly Dictionary<string, DatasetEntry> _entries;

    /// <summary>Creates a catalog of <paramref name="entries"/> (tests build their own with loopback mirrors).</summary>
    public DatasetCatalog(IEnumerable<DatasetEntry> entries)
    {
        _entries = entries.ToDictionary(e => e.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The catalog the toolchain ships with: <c>mnist</c>, <c>fashion-mnist</c> and <c>mnist-sample</c>.</summary>
    public static DatasetCatalog Default { get; } = new(
    [
        new DatasetEntry(
            Mnist, "mnist",
            [new Uri("https://ossci-datasets.s3.amazonaws.com/mnist/"), new Uri("http://yann.lecun.com/exdb/mnist/")],
            Md5Files(
                "f68b3c2dcbeaaa9fbdd348bbdeb94873", "d53e105ee54ea40749a09fcbcd1e9432",
                "9fb629c4189551a2d022fa330f9573f3", "ec29112dd5afa0611ce80d1b7f02629c"),
            DigitNames, 60000, 10000, 28, 28, [],
            OfflineHint: "or train on the bundled 9,000 digits with --dataset mnist-sample", Digits: true),
        new DatasetEntry(
            FashionMnist, "fashion-mnist",
            [new Uri("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")],
            Md5Files(
                "8d4fb7e6c68d591d4c3dfef9ec88bf0d", "25c81989df183df01b3e8a0aad5dffbe",
                "bef4ecab320f06d8554ea6380940ec79", "bb300cfdad3c16e7a12a480ee83cd310"),
            ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
            60000, 10000, 28, 28, ["/usr/share/datasets/fashion-mnist"],
            OfflineHint: "or install Debian's dataset-fashion-mnist package (apt install dataset-fashion-mnist)"),
        new DatasetEntry(
            MnistSample, "mnist-sample",
            [],
            [
                // From data/mnist-sample/README.md: the bundled files are byte-reproducible.
                new(IdxFileNames.TrainImages + ".gz", FileChecksum.Sha256("09d0600a0647c27f3194f57c3f47117e10a22f9203147d63c7fa521ea59a6adb")),
                new(IdxFileNames.TrainLabels + ".gz", FileChecksum.Sha256("5e613a16dbbafbcf808c019402c955b005fa2e486e192756b14d88aba6fdcaec")),
                new(IdxFileNames.TestImages + ".gz", FileChecksum.Sha256("f4ab05d1a68d28008a9124f0590709131eddc36213ec986af4408813058e94e2")),
                new(IdxFileNames.TestLabels + ".gz", FileChecksum.Sha256("dbabcd17742123091a1ffaf32a9f9691e3abfef1664fc28473bbdb2aea4e5045")),
            ],
            DigitNames, 7196, 1804, 28, 28, [], VerifyLocalCopy: true, Digits: true),
    ]);

    /// <summary>Every entry, in no particular order.</summary>
    public IEnumerable<DatasetEntry> Entries => _entries.Values;

    /// <summary>The names users can type, sorted.</summary>
    public IReadOnlyList<string> Names => [.. _entries.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The entry called <paramref name="name"/> (case-insensitive), or null.</summary>
    public DatasetEntry? Find(string name) => _entries.GetValueOrDefault(name);

    private static IReadOnlyList<DatasetFile> Md5Files(string trainImages, string trainLabels, string testImages, string testLabels) =>
    [
        new(IdxFileNames.TrainImages + ".gz", FileChecksum.Md5(trainImages)),
        new(IdxFileNames.TrainLabels + ".gz", FileChecksum.Md5(trainLabels)),
        new(IdxFileNames.TestImages + ".gz", FileChecksum.Md5(testImages)),
        new(IdxFileNames.TestLabels + ".gz", FileChecksum.Md5(testLabels)),
    ];
}
