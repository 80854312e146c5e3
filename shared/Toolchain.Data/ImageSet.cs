namespace Toolchain.Data;

/// <summary>
/// Images and labels of one split held in memory: <see cref="Pixels"/> is Count×Rows×Cols bytes, row-major,
/// white-on-black as in MNIST; <see cref="Labels"/> holds one class id per image.
/// </summary>
public sealed record ImageSet(byte[] Pixels, byte[] Labels, int Count, int Rows, int Cols, int Channels = 1)
{
    /// <summary>Bytes per image: channels × rows × cols, channel-major (C×H×W) for colour.</summary>
    public int ImageSize => Channels * Rows * Cols;

    /// <summary>The pixels of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(index * ImageSize, ImageSize);

    /// <summary>How many images carry each label 0..<paramref name="classCount"/>-1.</summary>
    public int[] CountPerClass(int classCount)
    {
        var counts = new int[classCount];
        foreach (var label in Labels)
        {
            counts[label]++;
        }
        return counts;
    }
}

/// <summary>A dataset resolved and loaded: both splits, its class names and where it came from.</summary>
/// <param name="Name">Catalog name ("mnist", "mnist-sample", "fashion-mnist") or the folder for a custom one.</param>
/// <param name="Directory">Folder the IDX files were read from.</param>
/// <param name="Train">Training split.</param>
/// <param name="Test">Test split.</param>
/// <param name="ClassNames">Class names, index = label.</param>
public sealed record LoadedDataset(string Name, string Directory, ImageSet Train, ImageSet Test, IReadOnlyList<string> ClassNames)
{
    /// <summary>
    /// Whether the images are handwritten digits as MNIST was built (its catalog entry's <see cref="DatasetEntry.Digits"/>,
    /// or a folder of IDX files), which inference prepares as digits; false for other pictures.
    /// </summary>
    public bool Digits { get; init; }
}
