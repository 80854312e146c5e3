using Toolchain.Contracts;

namespace Toolchain.Data.Images;

/// <summary>
/// Finds the image files (PNG, JPEG, BMP, GIF by name) under folders at any depth, as torchvision's ImageFolder does,
/// following symbolic links to folders and files, but never reading a folder or counting a file twice:
/// <list type="bullet">
/// <item>a link back to the dataset, a folder above it or one holding a walked folder (<c>a/loop -&gt; ..</c>) is a loop, not followed;</item>
/// <item>a link into another walked folder (another class) is left to that folder, so an image keeps its own class;</item>
/// <item>a link into /proc, /sys, /dev or another of the kernel's pseudo file systems is not followed;</item>
/// <item>a folder or file reached a second time (two links to one place, hard links count as different files) is counted once.</item>
/// </list>
/// Hidden entries (<c>.ipynb_checkpoints</c>, <c>._x.png</c>) and macOS's <c>__MACOSX</c> are skipped at every depth.
/// A folder that cannot be read, a broken link and a name that is not valid UTF-8 are recorded in <see cref="Skipped"/>
/// (with the problem, like an unreadable image); links not followed in <see cref="NotFollowed"/>. Devices and pipes
/// with an image's name are listed: reading refuses them without opening them.
/// </summary>
public sealed class ImageFileWalk
{
    /// <summary>File extensions read as images.</summary>
    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    /// <summary>The formats <see cref="Extensions"/> stand for, as messages name them.</summary>
    public const string FormatNames = "PNG, JPEG, BMP, GIF or WebP";

    private static readonly EnumerationOptions Entries = new() { IgnoreInaccessible = false, AttributesToSkip = 0, RecurseSubdirectories = false };

    private readonly string _rootReal;
    private readonly List<(string Real, string Shown)> _walked;
    private readonly HashSet<string> _readFolders = new(StringComparer.Ordinal);
    private readonly HashSet<string> _countedFiles = new(StringComparer.Ordinal);

    /// <summary>
    /// A walk of the dataset at <paramref name="root"/> whose <paramref name="folders"/> (the class folders, of every
    /// split) will each be walked with <see cref="Files"/>. Throws <see cref="ToolchainException"/> when the root or a
    /// folder cannot be resolved, is special, or two folders are the same folder.
    /// </summary>
    public ImageFileWalk(string root, IEnumerable<string> folders)
    {
        _rootReal = RealPaths.Of(root) ?? throw new ToolchainException($"{root}: cannot be resolved (a broken or looping symbolic link)");
        if (RealPaths.SpecialFileSystem(_rootReal) is { } special)
        {
            throw new ToolchainException($"{root}: {special}");
        }
        _walked = [];
        foreach (var folder in folders)
        {
            var real = RealPaths.Of(folder) ?? throw new ToolchainException($"{folder}: cannot be resolved (a broken or looping symbolic link)");
            if (_walked.FirstOrDefault(w => w.Real == real) is { Shown: not null } same)
            {
                throw new ToolchainException($"{folder}: is the same folder as {same.Shown} ({real}); a class folder may not be another's link");
            }
            _walked.Add((real, folder));
        }
    }

    /// <summary>Unreadable entries and why.</summary>
    public List<(string Path, string Problem)> Skipped { get; } = [];

    /// <summary>Links not followed and entries counted once, as "path: why".</summary>
    public List<string> NotFollowed { get; } = [];

    /// <summary>Visible files whose names are not images' (a README beside the images).</summary>
    public List<string> Others { get; } = [];

    /// <summary>Whether <paramref name="name"/> has an image's extension.</summary>
    public static bool IsImageName(string name) => Extensions.Contains(Path.GetExtension(name), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Whether a folder or file takes part: hidden entries (<c>.ipynb_checkpoints</c>, <c>.DS_Store</c>, macOS's
    /// <c>._name.png</c> forks) and the <c>__MACOSX</c> folder a Mac's zip adds are tools' leftovers, not classes or images.
    /// </summary>
    public static bool IsVisible(string name) => !name.StartsWith('.') && name != "__MACOSX";

    /// <summary>The image files under <paramref name="folder"/>, in ordinal order of their paths (spelled from <paramref name="folder"/>).</summary>
    public List<string> Files(string folder)
    {
        var real = RealPaths.Of(folder);
        var files = new List<string>();
        if (real is null)
        {
            Skipped.Add((folder, "cannot be resolved (a broken or looping symbolic link)"));
            return files;
        }
        if (Refusal(real, real, isRoot: true) is { } refusal)
        {
            throw new ToolchainException($"{folder}: {refusal}");
        }
        Walk(folder, real, real, files);
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    private void Walk(string shown, string real, string ownReal, List<string> files)
    {
        if (!_readFolders.Add(real))
        {
            NotFollowed.Add($"{shown}: leads to {real}, already read");
            return;
        }
        List<FileSystemInfo> entries;
        try
        {
            entries = [.. new DirectoryInfo(shown).EnumerateFileSystemInfos("*", Entries).OrderBy(e => e.Name, StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Skipped.Add((shown, $"the folder cannot be read ({(e is UnauthorizedAccessException ? "permission denied" : e.Message)})"));
            return;
        }
        foreach (var entry in entries)
        {
            var name = entry.Name;
            if (!IsVisible(name))
            {
                continue;
            }
            var path = Path.Combine(shown, name);
            if (name.Contains('\uFFFD') && !entry.Exists)
            {
                // .NET decodes a name's bytes as UTF-8; one that is not cannot be spelled back to open it.
                Skipped.Add((path, "its name is not valid UTF-8, so it cannot be opened (rename it)"));
                continue;
            }
            var isLink = entry.Attributes.HasFlag(FileAttributes.ReparsePoint);
            if (entry is DirectoryInfo)
            {
                var target = isLink ? RealPaths.Of(path) : Path.Combine(real, name);
                if (target is null)
                {
                    Skipped.Add((path, "the link cannot be resolved"));
                }
                else if (isLink && Refusal(target, ownReal, isRoot: false) is { } why)
                {
                    NotFollowed.Add($"{path}: {why}");
                }
                else
                {
                    Walk(path, target, ownReal, files);
                }
                continue;
            }
            if (!IsImageName(name))
            {
                Others.Add(path);
                continue;
            }
            var fileReal = isLink ? RealPaths.Of(path) : Path.Combine(real, name);
            if (fileReal is null)
            {
                Skipped.Add((path, "is a broken symbolic link"));
            }
            else if (isLink && OtherFolder(fileReal, ownReal) is { } other)
            {
                NotFollowed.Add($"{path}: links to {other}'s image {fileReal}, counted there");
            }
            else if (!_countedFiles.Add(fileReal))
            {
                NotFollowed.Add($"{path}: is {fileReal}, already counted");
            }
            else
            {
                files.Add(path);
            }
        }
    }

    /// <summary>Why the real folder <paramref name="target"/>, reached from the walk of <paramref name="ownReal"/>, is not read; null to read it.</summary>
    private string? Refusal(string target, string ownReal, bool isRoot)
    {
        if (RealPaths.IsWithin(_rootReal, target) && !(isRoot && target == _rootReal))
        {
            return $"leads back to {target}, which holds the dataset (a loop)";
        }
        if (!isRoot && OtherFolder(target, ownReal) is { } other)
        {
            return $"leads into {other}, whose images are its own";
        }
        if (!isRoot && _walked.FirstOrDefault(w => RealPaths.IsWithin(w.Real, target)) is { Shown: not null } holder)
        {
            return $"leads back to {target}, which holds {holder.Shown} (a loop)";
        }
        if (RealPaths.SpecialFileSystem(target) is { } special)
        {
            return $"leads to {target}, which {special}";
        }
        if (!isRoot && RealPaths.IsWithin(target, ownReal))
        {
            return $"leads to {target}, inside the same folder, read once";
        }
        return null;
    }

    /// <summary>The walked folder other than <paramref name="ownReal"/> that holds <paramref name="real"/>, or null.</summary>
    private string? OtherFolder(string real, string ownReal) =>
        _walked.Where(w => w.Real != ownReal && RealPaths.IsWithin(real, w.Real) && !RealPaths.IsWithin(ownReal, w.Real)).Select(w => w.Shown).FirstOrDefault();
}
