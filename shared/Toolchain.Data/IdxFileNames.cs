namespace Toolchain.Data;

/// <summary>The standard MNIST file names, and how a folder's copy of each is found.</summary>
public static class IdxFileNames
{
    /// <summary>Training images, without the <c>.gz</c> extension.</summary>
    public const string TrainImages = "train-images-idx3-ubyte";

    /// <summary>Training labels, without the <c>.gz</c> extension.</summary>
    public const string TrainLabels = "train-labels-idx1-ubyte";

    /// <summary>Test images, without the <c>.gz</c> extension.</summary>
    public const string TestImages = "t10k-images-idx3-ubyte";

    /// <summary>Test labels, without the <c>.gz</c> extension.</summary>
    public const string TestLabels = "t10k-labels-idx1-ubyte";

    /// <summary>The four files in the order the catalogs list them: train images, train labels, test images, test labels.</summary>
    public static IReadOnlyList<string> All { get; } = [TrainImages, TrainLabels, TestImages, TestLabels];

    /// <summary>
    /// The path of <paramref name="baseName"/> in <paramref name="directory"/>: the <c>.gz</c> file, else the
    /// uncompressed one, else the dotted variant some mirrors use (<c>train-images.idx3-ubyte</c>); null if none exists.
    /// </summary>
    public static string? Locate(string directory, string baseName)
    {
        var dotted = baseName.Replace("-idx", ".idx", StringComparison.Ordinal);
        foreach (var candidate in new[] { baseName + ".gz", baseName, dotted + ".gz", dotted })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }
        return null;
    }

    /// <summary>Whether all four files are present in <paramref name="directory"/>.</summary>
    public static bool AllPresent(string directory) =>
        Directory.Exists(directory) && All.All(name => Locate(directory, name) is not null);
}
