using Toolchain.Contracts;

namespace Toolchain.Data.Images;

/// <summary>One image file of a folder: where it is, its class id and whether it sits under DIR/test.</summary>
/// <param name="Path">The file's full path.</param>
/// <param name="Label">Its class id.</param>
/// <param name="Test">Whether the folder's own test/ holds it (always false in the DIR/&lt;class&gt; layout).</param>
public sealed record ImageFolderFile(string Path, int Label, bool Test);

/// <summary>
/// An image folder listed without decoding a pixel (<see cref="ImageFolderDataset.Scan"/>): its classes, files and
/// layout, and <see cref="Key"/>, the digest of everything its decoded images depend on. Whatever is derived from the
/// images (decoded tensors, a backbone's features) is cached under a key built from it.
/// </summary>
/// <param name="Folder">The folder's full path.</param>
/// <param name="ClassNames">Class names, index = class id.</param>
/// <param name="Files">Every image file: the train ones first, then the test ones.</param>
/// <param name="HasSplit">Whether the folder has its own train/ and test/.</param>
/// <param name="Key">SHA-256 (hex) of the files' paths, sizes and times, the classes and the options.</param>
public sealed record ImageFolderListing(string Folder, IReadOnlyList<string> ClassNames, IReadOnlyList<ImageFolderFile> Files, bool HasSplit, string Key)
{
    /// <summary>What the folder walk could not list ("path: problem"): unreadable folders, links it did not follow.</summary>
    public IReadOnlyList<string> WalkSkipped { get; init; } = [];

    /// <summary>
    /// The train and test indexes (into <see cref="Files"/>) of the <paramref name="readable"/> files: the folder's own
    /// split, or a stratified one seeded by <see cref="ImageFolderOptions.SplitSeed"/> with its test fraction (null for
    /// the folder's own). Too few readable files to have both sides is a <see cref="ToolchainException"/>.
    /// </summary>
    public (int[] Train, int[] Test, double? TestFraction) SplitReadable(IReadOnlyList<int> readable, ImageFolderOptions options)
    {
        int[] train, test;
        double? fraction = null;
        if (HasSplit)
        {
            train = readable.Where(i => !Files[i].Test).ToArray();
            test = readable.Where(i => Files[i].Test).ToArray();
        }
        else
        {
            fraction = options.TestFraction ?? ImageFolderOptions.DefaultTestFraction;
            var (tr, te) = StratifiedSplit.Split(readable.Select(i => Files[i].Label).ToArray(), fraction.Value, options.SplitSeed);
            train = tr.Select(k => readable[k]).ToArray();
            test = te.Select(k => readable[k]).ToArray();
        }
        if (train.Length == 0 || test.Length == 0)
        {
            throw new ToolchainException($"{Folder}: too few readable images to train and test on ({train.Length} train, {test.Length} test)");
        }
        return (train, test, fraction);
    }
}
