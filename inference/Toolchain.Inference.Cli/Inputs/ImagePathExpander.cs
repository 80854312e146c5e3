using System.IO.Enumeration;
using Microsoft.Extensions.FileSystemGlobbing;
using Microsoft.Extensions.FileSystemGlobbing.Abstractions;
using Toolchain.Contracts;
using Toolchain.Data.Images;

namespace Toolchain.Inference.Cli.Inputs;

/// <summary>One image to classify, or the reason a command-line argument produced none.</summary>
internal sealed record ImageInput(string Path, string? Error = null);

/// <summary>
/// Expands classify's arguments in order: a file stays as it is, a directory becomes the image files at any depth
/// below it (sorted), as <c>--dataset</c> reads a folder of class folders, and a pattern with <c>*</c>, <c>?</c> or
/// <c>**</c> becomes the files it matches (sorted). Folders are walked by <see cref="ImageFileWalk"/>: hidden entries
/// skipped, symbolic links followed but not into loops, /proc or the same file twice; an entry it cannot read is an
/// input with its error, like an unreadable image.
/// </summary>
internal static class ImagePathExpander
{
    public static IEnumerable<ImageInput> Expand(IEnumerable<string> arguments, Action<string>? notice = null)
    {
        foreach (var arg in arguments)
        {
            if (HasWildcards(arg))
            {
                var matches = Glob(arg);
                if (matches.Count == 0)
                {
                    yield return new ImageInput(arg, "no files match this pattern");
                }
                foreach (var m in matches)
                {
                    yield return new ImageInput(m);
                }
            }
            else if (Directory.Exists(arg))
            {
                foreach (var input in ImagesIn(arg, notice))
                {
                    yield return input;
                }
            }
            else if (!File.Exists(arg))
            {
                yield return new ImageInput(arg, "no such file");
            }
            else
            {
                yield return new ImageInput(arg);
            }
        }
    }

    private static List<ImageInput> ImagesIn(string dir, Action<string>? notice)
    {
        ImageFileWalk walk;
        List<string> files;
        try
        {
            walk = new ImageFileWalk(dir, []);
            files = walk.Files(dir);
        }
        catch (ToolchainException e)
        {
            return [new ImageInput(dir, e.Message.StartsWith(dir + ": ", StringComparison.Ordinal) ? e.Message[(dir.Length + 2)..] : e.Message)];
        }
        if (walk.NotFollowed.Count > 0)
        {
            notice?.Invoke($"{dir}: {walk.NotFollowed.Count} symbolic link{(walk.NotFollowed.Count == 1 ? "" : "s")} not followed or counted once: " +
                $"{string.Join("; ", walk.NotFollowed.Take(3))}{(walk.NotFollowed.Count > 3 ? "; ..." : "")}");
        }
        var inputs = files.Select(f => new ImageInput(f))
            .Concat(walk.Skipped.Select(s => new ImageInput(s.Path, s.Problem)))
            .ToList();
        if (files.Count == 0 && walk.Skipped.Count == 0)
        {
            inputs.Add(new ImageInput(dir, $"directory holds no {ImageFileWalk.FormatNames} files at any depth"));
        }
        return inputs;
    }

    /// <summary>Whether <paramref name="text"/> is a pattern rather than a path.</summary>
    private static bool HasWildcards(string text) => text.AsSpan().IndexOfAny('*', '?') >= 0;

    /// <summary>Files matching <paramref name="pattern"/>, spelled the way the user spelled the fixed part.</summary>
    internal static List<string> Glob(string pattern)
    {
        // The folders before the first wildcard are where the search starts; results keep them as the user wrote them.
        var segments = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var fixedCount = segments.TakeWhile(s => !HasWildcards(s)).Count();
        var prefix = (pattern.StartsWith('/') ? "/" : "") + string.Join('/', segments.Take(fixedCount));
        var start = prefix.Length == 0 ? "." : prefix;
        var glob = segments[fixedCount..];
        if (glob.Length == 0 || !Directory.Exists(start))
        {
            return [];
        }
        // FileSystemGlobbing knows * and ** but not ?, so it walks the folders for the pattern with ? read as *, and
        // each file it finds is then held to the pattern as a shell reads it.
        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddInclude(string.Join('/', glob).Replace('?', '*'));
        return matcher.Execute(new ReadableFolder(new DirectoryInfo(start))).Files
            .Where(f => Fits(glob, f.Path.Split('/')))
            .Select(f => prefix.Length == 0 ? f.Path : prefix.EndsWith('/') ? prefix + f.Path : $"{prefix}/{f.Path}")
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Whether the path's names fit the pattern's segments: <c>**</c> is any number of folders, <c>*</c> and <c>?</c>
    /// match within one name, and, as in a shell, a wildcard matches a hidden name only in a segment that starts with a dot.
    /// </summary>
    private static bool Fits(ReadOnlySpan<string> pattern, ReadOnlySpan<string> names)
    {
        if (pattern.IsEmpty)
        {
            return names.IsEmpty;
        }
        if (pattern[0] == "**")
        {
            return Fits(pattern[1..], names) || (!names.IsEmpty && !names[0].StartsWith('.') && Fits(pattern, names[1..]));
        }
        return !names.IsEmpty && (!names[0].StartsWith('.') || pattern[0].StartsWith('.'))
            && FileSystemName.MatchesSimpleExpression(pattern[0], names[0], ignoreCase: false)
            && Fits(pattern[1..], names[1..]);
    }

    /// <summary>
    /// A folder for <see cref="Matcher"/> in which, as in a shell, a folder that cannot be read holds no matches
    /// (FileSystemGlobbing's own wrapper throws and ends the whole search), and a symbolic link is followed only where
    /// it does not lead back to a folder on the way down to it (a loop), into /proc-like file systems, or nowhere.
    /// </summary>
    private sealed class ReadableFolder(DirectoryInfo folder, string? real = null, ReadableFolder? above = null) : DirectoryInfoBase
    {
        private static readonly EnumerationOptions Everything = new() { IgnoreInaccessible = true, AttributesToSkip = 0 };

        private readonly string _real = real ?? RealPaths.Of(folder.FullName) ?? folder.FullName;

        public override string Name => folder.Name;

        public override string FullName => folder.FullName;

        public override DirectoryInfoBase? ParentDirectory => folder.Parent is { } parent ? new ReadableFolder(parent) : null;

        public override IEnumerable<FileSystemInfoBase> EnumerateFileSystemInfos()
        {
            foreach (var entry in folder.EnumerateFileSystemInfos("*", Everything))
            {
                if (entry is not DirectoryInfo d)
                {
                    yield return new FileInfoWrapper((FileInfo)entry);
                }
                else if (!d.Attributes.HasFlag(FileAttributes.ReparsePoint))
                {
                    yield return new ReadableFolder(d, Path.Combine(_real, d.Name), this);
                }
                else if (RealPaths.Of(d.FullName) is { } target && RealPaths.SpecialFileSystem(target) is null && !LeadsBack(target))
                {
                    yield return new ReadableFolder(d, target, this);
                }
            }
        }

        public override DirectoryInfoBase? GetDirectory(string path) =>
            new DirectoryInfo(Path.Combine(folder.FullName, path)) is { Exists: true } d ? new ReadableFolder(d) : null;

        public override FileInfoBase GetFile(string path) => new FileInfoWrapper(new FileInfo(Path.Combine(folder.FullName, path)));

        private bool LeadsBack(string target)
        {
            for (var f = this; f is not null; f = f.Above)
            {
                if (RealPaths.IsWithin(f._real, target))
                {
                    return true;
                }
            }
            return false;
        }

        private ReadableFolder? Above => above;
    }
}
