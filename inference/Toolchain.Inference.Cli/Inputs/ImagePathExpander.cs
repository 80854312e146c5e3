namespace Toolchain.Inference.Cli.Inputs;

/// <summary>One image to classify, or the reason a command-line argument produced none.</summary>
internal sealed record ImageInput(string Path, string? Error = null);

/// <summary>
/// Expands classify's arguments in order: a file stays as it is, a directory becomes the image files directly inside it
/// (sorted), and a pattern with <c>*</c>, <c>?</c> or <c>**</c> becomes the files it matches (sorted).
/// </summary>
internal static class ImagePathExpander
{
    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif"];

    public static IEnumerable<ImageInput> Expand(IEnumerable<string> arguments)
    {
        foreach (var arg in arguments)
        {
            if (Wildcard.HasWildcards(arg))
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
                var files = ImagesIn(arg);
                if (files.Count == 0)
                {
                    yield return new ImageInput(arg, "directory holds no PNG, JPEG, BMP or GIF files");
                }
                foreach (var f in files)
                {
                    yield return new ImageInput(f);
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

    private static List<string> ImagesIn(string dir)
    {
        var files = new List<string>();
        foreach (var f in Directory.EnumerateFiles(dir))
        {
            var name = Path.GetFileName(f);
            if (!name.StartsWith('.') && ImageExtensions.Contains(Path.GetExtension(name), StringComparer.OrdinalIgnoreCase))
            {
                files.Add(f);
            }
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>Files matching <paramref name="pattern"/>, spelled the way the user spelled the fixed part.</summary>
    internal static List<string> Glob(string pattern)
    {
        var absolute = pattern.StartsWith('/');
        var segments = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var fixedCount = 0;
        while (fixedCount < segments.Length && !Wildcard.HasWildcards(segments[fixedCount]))
        {
            fixedCount++;
        }
        var prefix = string.Join('/', segments.Take(fixedCount));
        if (absolute)
        {
            prefix = "/" + prefix;
        }
        var results = new List<string>();
        var start = prefix.Length == 0 ? "." : prefix;
        if (Directory.Exists(start))
        {
            Walk(start, prefix, segments.AsSpan(fixedCount).ToArray(), results);
        }
        results.Sort(StringComparer.Ordinal);
        return results;
    }

    private static void Walk(string dir, string shown, string[] rest, List<string> results)
    {
        var segment = rest[0];
        var last = rest.Length == 1;
        string Join(string name) => shown.Length == 0 ? name : shown.EndsWith('/') ? shown + name : $"{shown}/{name}";

        if (segment == "**")
        {
            // "**" matches zero directories (go on with the rest here) or one more (recurse, keeping "**").
            Walk(dir, shown, last ? ["*"] : rest[1..], results);
            foreach (var sub in SafeEnumerate(() => Directory.EnumerateDirectories(dir)))
            {
                var name = Path.GetFileName(sub);
                if (!name.StartsWith('.'))
                {
                    Walk(sub, Join(name), rest, results);
                }
            }
            return;
        }
        if (!Wildcard.HasWildcards(segment))
        {
            var next = Path.Combine(dir, segment);
            if (last ? File.Exists(next) : Directory.Exists(next))
            {
                if (last)
                {
                    results.Add(Join(segment));
                }
                else
                {
                    Walk(next, Join(segment), rest[1..], results);
                }
            }
            return;
        }
        var entries = last ? SafeEnumerate(() => Directory.EnumerateFiles(dir)) : SafeEnumerate(() => Directory.EnumerateDirectories(dir));
        foreach (var entry in entries)
        {
            var name = Path.GetFileName(entry);
            // As in a shell, a wildcard does not match hidden names unless the pattern itself starts with a dot.
            if (name.StartsWith('.') && !segment.StartsWith('.'))
            {
                continue;
            }
            if (!Wildcard.IsMatch(name, segment))
            {
                continue;
            }
            if (last)
            {
                results.Add(Join(name));
            }
            else
            {
                Walk(entry, Join(name), rest[1..], results);
            }
        }
    }

    private static IEnumerable<string> SafeEnumerate(Func<IEnumerable<string>> list)
    {
        try
        {
            return list().ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
