using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Toolchain.Cli.Output;
using Toolchain.Contracts;
using Toolchain.Data.Text;
using Toolchain.Imaging;

namespace Toolchain.Data.Images;

/// <summary>An image folder loaded: the dataset, the size and channels chosen, and what was skipped.</summary>
/// <param name="Dataset">Both splits (C×H×W bytes per image) and the class names.</param>
/// <param name="Skipped">The unreadable files skipped, each as "path: problem".</param>
/// <param name="FromCache">Whether the decoded images came from the cache.</param>
/// <param name="TestFraction">The split's test fraction in the DIR/&lt;class&gt; layout, or null for DIR/train + DIR/test.</param>
/// <param name="SplitSeed">The split's seed.</param>
public sealed record LoadedImageFolder(LoadedDataset Dataset, IReadOnlyList<string> Skipped, bool FromCache, double? TestFraction, int SplitSeed);

/// <summary>
/// Image folders as datasets, in torchvision's ImageFolder convention: <c>DIR/train/&lt;class&gt;/*</c> plus
/// <c>DIR/test/&lt;class&gt;/*</c>, or <c>DIR/&lt;class&gt;/*</c> split stratified and seeded. Class ids follow the
/// sorted folder names unless <c>classes.txt</c> (one folder per line, optionally a tab or '=' and a display name)
/// gives the order. Images (PNG, JPEG, BMP, GIF, any depth below the class folder) are decoded in parallel by
/// <see cref="CropResizePreprocessor"/>, the class inference uses, and the uint8 tensors are cached, keyed by the
/// file list, sizes, modification times and options.
/// </summary>
public static class ImageFolderDataset
{
    /// <summary>File extensions read as images.</summary>
    public static readonly string[] Extensions = ImageFileWalk.Extensions;

    /// <summary>The optional file naming and ordering the classes.</summary>
    public const string ClassesFile = "classes.txt";

    /// <summary>The largest <see cref="ClassesFile"/> read: 256 class lines need a few KB, and the file must not be a way to read gigabytes.</summary>
    public const int MaxClassesFileBytes = 1 << 20;

    /// <summary>The most pixels an image may have (40 megapixels); a larger one stops the load.</summary>
    public const long MaxPixels = 40_000_000;

    private const string CacheMagic = "TOOLCHAIN-IMAGE-CACHE 1";

    /// <summary>Whether <paramref name="dataset"/> is a folder of class folders (either layout) rather than IDX files.</summary>
    public static bool IsImageFolder(string dataset)
    {
        if (!Directory.Exists(dataset) || Directory.EnumerateFiles(dataset, "*-ubyte*").Any())
        {
            return false;
        }
        var train = Path.Combine(dataset, "train");
        var root = Directory.Exists(train) && Directory.Exists(Path.Combine(dataset, "test")) ? train : dataset;
        return Directory.EnumerateDirectories(root).Any(IsVisible);
    }

    private static bool IsVisible(string path) => ImageFileWalk.IsVisible(Path.GetFileName(Path.TrimEndingDirectorySeparator(path)));

    /// <summary>
    /// Loads the image folder at <paramref name="dir"/>. Every problem with the folder as a whole (no images, one class,
    /// an empty class folder, a class only in test, an image over 40 megapixels, or with --strict an unreadable one) is a
    /// <see cref="ToolchainException"/> with one line; unreadable images are otherwise skipped and summed up in one
    /// line through <paramref name="notice"/>.
    /// </summary>
    public static LoadedImageFolder Load(string dir, ImageFolderOptions options, Action<string>? notice = null)
    {
        var listing = Scan(dir, options, notice);
        var cachePath = options.CacheDirectory is { } cacheDir ? Path.Combine(cacheDir, $"{listing.Key}.images") : null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (cachePath is not null && TryReadCache(cachePath, listing.Folder, listing.ClassNames) is { } cached)
        {
            notice?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"images: {cached.Dataset.Train.Count + cached.Dataset.Test.Count:N0} decoded images read from the cache in {clock.Elapsed.TotalSeconds:0.00} s ({cachePath})"));
            // What the walk could not list is found afresh each time; the cache holds what could not be decoded.
            cached = cached with { Skipped = [.. listing.WalkSkipped, .. cached.Skipped] };
            Report(cached.Skipped, options, notice);
            return cached;
        }
        var loaded = Decode(listing, options, notice);
        Report([.. listing.WalkSkipped, .. loaded.Skipped], options, notice);
        if (cachePath is not null)
        {
            WriteCache(cachePath, loaded);
        }
        notice?.Invoke(string.Create(CultureInfo.InvariantCulture,
            $"images: {listing.Files.Count:N0} files decoded{(cachePath is null ? "" : " and cached")} in {clock.Elapsed.TotalSeconds:0.00} s"));
        return loaded with { Skipped = [.. listing.WalkSkipped, .. loaded.Skipped] };
    }

    /// <summary>
    /// Lists the image folder at <paramref name="dir"/> without decoding a pixel: classes, files, layout and the key of
    /// everything a decoded tensor depends on (files' paths, sizes and times, classes, <paramref name="options"/>). Every
    /// problem with the folder's structure is a <see cref="ToolchainException"/> with one line, as in <see cref="Load"/>.
    /// </summary>
    public static ImageFolderListing Scan(string dir, ImageFolderOptions options, Action<string>? notice = null)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
        var split = Directory.Exists(Path.Combine(full, "train")) && Directory.Exists(Path.Combine(full, "test"));
        if (split && options.TestFraction is not null)
        {
            throw new ToolchainException($"--test-fraction: {full} has its own train/ and test/ folders; the split is theirs");
        }
        var trainRoot = split ? Path.Combine(full, "train") : full;
        var testRoot = Path.Combine(full, "test");
        var (folders, names) = Classes(full, trainRoot);
        if (split)
        {
            var extra = Directory.EnumerateDirectories(testRoot).Where(IsVisible).Select(Path.GetFileName).Where(f => !folders.Contains(f!)).Order(StringComparer.Ordinal).FirstOrDefault();
            if (extra is not null)
            {
                throw new ToolchainException($"{Path.Combine(testRoot, extra)}: class '{extra}' is in test but not in train");
            }
        }
        // One walk over every class folder of both splits, so a link from one into another is seen as such.
        var walk = new ImageFileWalk(full, folders.Select(f => Path.Combine(trainRoot, f))
            .Concat(split ? folders.Select(f => Path.Combine(testRoot, f)).Where(Directory.Exists) : []));
        var trainFiles = Files(trainRoot, folders, requireEach: true, notice, walk);
        var testFiles = new List<(string Path, int Label)>();
        if (split)
        {
            testFiles = Files(testRoot, folders, requireEach: false, notice, walk);
            if (testFiles.Count == 0)
            {
                throw new ToolchainException($"{testRoot}: holds no images");
            }
        }
        if (walk.NotFollowed.Count > 0)
        {
            notice?.Invoke($"symbolic links: {walk.NotFollowed.Count} not followed or counted once: {string.Join("; ", walk.NotFollowed.Take(3))}{(walk.NotFollowed.Count > 3 ? "; ..." : "")}");
        }
        var all = trainFiles.Select(f => new ImageFolderFile(f.Path, f.Label, false)).Concat(testFiles.Select(f => new ImageFolderFile(f.Path, f.Label, true))).ToList();
        return new ImageFolderListing(full, names, all, split, CacheKey(full, names, all, options, split)) { WalkSkipped = [.. walk.Skipped.Select(Describe)] };
    }

    private static string Describe((string Path, string Problem) skipped) => $"{skipped.Path}: {skipped.Problem}";

    private static void Report(IReadOnlyList<string> skipped, ImageFolderOptions options, Action<string>? notice)
    {
        if (skipped.Count == 0)
        {
            return;
        }
        var line = $"skipped {skipped.Count} unreadable image{(skipped.Count == 1 ? "" : "s")}: {string.Join("; ", skipped.Take(10))}{(skipped.Count > 10 ? "; ..." : "")}";
        if (options.Strict)
        {
            throw new ToolchainException($"{line} (--strict)");
        }
        notice?.Invoke(line);
    }

    /// <summary>The class folders in class-id order and their display names.</summary>
    private static (List<string> Folders, List<string> Names) Classes(string full, string trainRoot)
    {
        var present = Directory.EnumerateDirectories(trainRoot).Where(IsVisible).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal).ToList();
        var classesFile = Path.Combine(full, ClassesFile);
        List<string> folders, names;
        if (File.Exists(classesFile))
        {
            folders = [];
            names = [];
            foreach (var raw in ClassesFileLines(classesFile))
            {
                var line = raw.Trim();
                if (line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }
                int cut = line.IndexOfAny(['\t', '=']);
                var folder = cut < 0 ? line : line[..cut].Trim();
                folders.Add(folder);
                names.Add(cut < 0 ? folder : line[(cut + 1)..].Trim());
            }
            var missing = folders.FirstOrDefault(f => !present.Contains(f));
            if (missing is not null)
            {
                throw new ToolchainException($"{classesFile}: names class folder '{missing}', which {trainRoot} does not have");
            }
            var unlisted = present.FirstOrDefault(f => !folders.Contains(f));
            if (unlisted is not null)
            {
                throw new ToolchainException($"{classesFile}: does not list the class folder '{unlisted}'");
            }
        }
        else
        {
            folders = present;
            names = [.. present];
        }
        if (folders.Count == 0)
        {
            throw new ToolchainException($"{trainRoot}: holds no class folders, so no images");
        }
        if (folders.Count > 256)
        {
            throw new ToolchainException($"{trainRoot}: has {folders.Count} class folders; at most 256 classes are supported");
        }
        return (folders, names);
    }

    /// <summary>
    /// The lines of <paramref name="path"/>, read with bounds: a device, a pipe or a file over
    /// <see cref="MaxClassesFileBytes"/> (a link to /dev/zero) is refused before reading, and a line over 4 KiB, a NUL
    /// byte or bytes that are not UTF-8 stop the reading with one line.
    /// </summary>
    private static List<string> ClassesFileLines(string path)
    {
        if (FileKindProbe.NotRegularProblem(path) is { } notRegular)
        {
            throw new ToolchainException($"{path}: {notRegular}");
        }
        try
        {
            if (new FileInfo(path).Length > MaxClassesFileBytes)
            {
                throw new ToolchainException($"{path}: is {new FileInfo(path).Length:N0} bytes; a class list is at most {MaxClassesFileBytes >> 20} MiB");
            }
            using var reader = BoundedLineReader.OpenFile(path, 4096);
            var lines = new List<string>();
            long length = 0;
            while (reader.ReadLine() is { } line)
            {
                // A file that grows, or one the kernel reports as empty (/proc), is still read no further than the limit.
                length += line.Length + 1;
                if (length > MaxClassesFileBytes)
                {
                    throw new ToolchainException($"{path}: is longer than {MaxClassesFileBytes >> 20} MiB; a class list is not");
                }
                lines.Add(line);
            }
            return lines;
        }
        catch (InvalidDataException e)
        {
            throw new ToolchainException($"{path}: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ToolchainException($"{path}: cannot be read ({(e is UnauthorizedAccessException ? "permission denied" : e.Message)})", e);
        }
    }

    private static List<(string Path, int Label)> Files(string root, List<string> folders, bool requireEach, Action<string>? notice, ImageFileWalk walk)
    {
        var before = walk.Others.Count;
        var perClass = folders.Select(f => Path.Combine(root, f)).Select(folder => Directory.Exists(folder) ? walk.Files(folder) : []).ToList();
        var others = walk.Others.Skip(before).ToList();
        if (others.Count > 0)
        {
            // Said, not refused: a README or a .txt beside the images is common; a folder of .heic or .tif files would
            // otherwise vanish without a word.
            others.Sort(StringComparer.Ordinal);
            notice?.Invoke($"{root}: left out {others.Count} file{(others.Count == 1 ? "" : "s")} that {(others.Count == 1 ? "is" : "are")} not {ImageFileWalk.FormatNames} by name: " +
                $"{string.Join("; ", others.Take(3).Select(o => Path.GetRelativePath(root, o)))}{(others.Count > 3 ? "; ..." : "")}");
        }
        if (requireEach)
        {
            if (perClass.All(c => c.Count == 0))
            {
                throw new ToolchainException($"{root}: holds no images ({ImageFileWalk.FormatNames}) in its class folders");
            }
            int empty = perClass.FindIndex(c => c.Count == 0);
            if (empty >= 0)
            {
                throw new ToolchainException($"{Path.Combine(root, folders[empty])}: class folder '{folders[empty]}' holds no images ({ImageFileWalk.FormatNames})");
            }
            if (folders.Count == 1)
            {
                throw new ToolchainException($"{root}: has a single class ('{folders[0]}'); a classifier needs at least two class folders");
            }
        }
        return perClass.SelectMany((files, c) => files.Select(f => (f, c))).ToList();
    }

    /// <summary>
    /// The size of every file from its header (no pixels decoded), in parallel, and the problem of each one that is not
    /// a supported, intact image (by index). An image over <see cref="MaxPixels"/> is a <see cref="ToolchainException"/>.
    /// </summary>
    public static ((int W, int H)[] Sizes, ConcurrentDictionary<int, string> Problems) ReadHeaders(IReadOnlyList<ImageFolderFile> all)
    {
        var headerLimits = new ImageLimits { MaxPixels = long.MaxValue / 4, MaxSide = int.MaxValue / 4, MaxBytes = ImageLimits.Default.MaxBytes };
        var sizes = new (int W, int H)[all.Count];
        var problems = new ConcurrentDictionary<int, string>();
        Parallel.For(0, all.Count, i =>
        {
            try
            {
                var bytes = DigitPreprocessor.ReadFile(all[i].Path, headerLimits);
                sizes[i] = CropResizePreprocessor.ReadHeader(bytes, all[i].Path, headerLimits);
            }
            catch (InvalidInputFileException e)
            {
                problems[i] = e.Problem;
            }
        });
        var huge = Enumerable.Range(0, all.Count).FirstOrDefault(i => (long)sizes[i].W * sizes[i].H > MaxPixels, -1);
        if (huge >= 0)
        {
            throw new ToolchainException($"{all[huge].Path}: is {sizes[huge].W}×{sizes[huge].H} " +
                $"({((long)sizes[huge].W * sizes[huge].H / 1e6).ToString("F1", CultureInfo.InvariantCulture)} megapixels), over the 40-megapixel limit");
        }
        return (sizes, problems);
    }

    private static LoadedImageFolder Decode(ImageFolderListing listing, ImageFolderOptions options, Action<string>? notice)
    {
        var (full, names, all) = (listing.Folder, listing.ClassNames, listing.Files);
        // Pass 1, headers only: sizes for the default size, the 40-megapixel limit, and files that are not images at all.
        var (sizes, problems) = ReadHeaders(all);
        var readable = Enumerable.Range(0, all.Count).Where(i => !problems.ContainsKey(i)).ToList();
        if (readable.Count == 0)
        {
            throw new ToolchainException($"{full}: none of its {all.Count} images can be read (first: {all[0].Path}: {problems[0]})");
        }
        var (height, width) = ChooseSize(readable.Select(i => sizes[i]).ToList(), options.ImageSize, notice);
        int channels = options.Channels ?? (AnyColour(all, readable.Where(i => !all[i].Test).ToList()) ? 3 : 1);
        notice?.Invoke($"images: {channels} channel{(channels == 1 ? " (grey)" : "s (RGB)")}{(options.Channels is null ? " (--channels sets it)" : "")}, " +
            $"{height}×{width}, shorter side resized then centre-cropped");

        // Pass 2: decode, resize and crop every readable image, in parallel, into one uint8 tensor.
        var pre = new CropResizePreprocessor(channels, height, width);
        int length = pre.OutputLength;
        var pixels = new byte[(long)all.Count * length];
        int done = 0;
        Parallel.ForEach(readable, i =>
        {
            try
            {
                pre.ToBytes(all[i].Path).CopyTo(pixels, (long)i * length);
            }
            catch (InvalidInputFileException e)
            {
                problems[i] = e.Problem;
            }
            options.Progress?.Invoke(Interlocked.Increment(ref done), readable.Count);
        });
        var good = Enumerable.Range(0, all.Count).Where(i => !problems.ContainsKey(i)).ToList();
        var skipped = problems.OrderBy(p => p.Key).Select(p => $"{all[p.Key].Path}: {p.Value}").ToList();

        var (trainIdx, testIdx, fraction) = listing.SplitReadable(good, options);
        ImageSet Set(int[] idx)
        {
            var p = new byte[(long)idx.Length * length];
            for (int k = 0; k < idx.Length; k++)
            {
                Array.Copy(pixels, (long)idx[k] * length, p, (long)k * length, length);
            }
            return new ImageSet(p, idx.Select(i => (byte)all[i].Label).ToArray(), idx.Length, height, width, channels);
        }
        var dataset = new LoadedDataset(full, full, Set(trainIdx), Set(testIdx), names);
        return new LoadedImageFolder(dataset, skipped, false, fraction, options.SplitSeed);
    }

    /// <summary>Whether any of the training images has colour; PNGs whose header says grey are not decoded to find out.</summary>
    private static bool AnyColour(IReadOnlyList<ImageFolderFile> all, List<int> train)
    {
        int found = 0;
        Parallel.ForEach(train, (i, state) =>
        {
            if (Volatile.Read(ref found) != 0)
            {
                state.Stop();
                return;
            }
            try
            {
                // PNG colour types 0 and 4 (grey, grey+alpha) sit at byte 25 of the header: a grey PNG is settled by 26
                // bytes, not by reading (and decoding) the whole file.
                Span<byte> head = stackalloc byte[26];
                using (var file = File.OpenRead(all[i].Path))
                {
                    if (file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length
                        && head[0] == 0x89 && head[1] == (byte)'P' && head[25] is 0 or 4)
                    {
                        return;
                    }
                }
                if (CropResizePreprocessor.HasColour(File.ReadAllBytes(all[i].Path), all[i].Path))
                {
                    Interlocked.Exchange(ref found, 1);
                    state.Stop();
                }
            }
            catch (Exception e) when (e is InvalidInputFileException or IOException)
            {
                // Counted as unreadable by the decoding pass.
            }
        });
        return found != 0;
    }

    /// <summary>The size asked for, or the images' own when they share one, else the median capped at 64; says which.</summary>
    private static (int Height, int Width) ChooseSize(List<(int W, int H)> sizes, string? asked, Action<string>? notice)
    {
        if (asked is not null)
        {
            var parts = asked.ToLowerInvariant().Split('x');
            if (parts.Length is 1 or 2 && parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v is >= 1 and <= 1024))
            {
                int h = int.Parse(parts[0], CultureInfo.InvariantCulture);
                return (h, parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : h);
            }
            throw new ToolchainException($"--image-size must be N or HxW with sides from 1 to 1024, not '{asked}'");
        }
        if (sizes.Distinct().Count() == 1)
        {
            notice?.Invoke($"image size: {sizes[0].H}×{sizes[0].W}, the size of every image (--image-size sets another)");
            return (sizes[0].H, sizes[0].W);
        }
        static int Median(IEnumerable<int> v)
        {
            var sorted = v.Order().ToList();
            return sorted[sorted.Count / 2];
        }
        int height = Math.Min(ImageFolderOptions.DefaultSizeCap, Median(sizes.Select(s => s.H)));
        int width = Math.Min(ImageFolderOptions.DefaultSizeCap, Median(sizes.Select(s => s.W)));
        notice?.Invoke($"image size: {height}×{width}, the images' median size capped at {ImageFolderOptions.DefaultSizeCap} (they differ; --image-size sets another)");
        return (height, width);
    }

    /// <summary>SHA-256 of everything the decoded tensor depends on: files (path, size, time), classes and options.</summary>
    private static string CacheKey(string full, List<string> names, List<ImageFolderFile> all, ImageFolderOptions o, bool split)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{CacheMagic}\n{full}\n{split}\n{o.Channels}\n{o.ImageSize}\n{o.TestFraction:R}\n{o.SplitSeed}\n");
        text.AppendJoin('\n', names).Append('\n');
        foreach (var (path, label, test) in all)
        {
            // A file deleted since it was listed keys as missing (and is skipped as unreadable when decoded).
            var info = new FileInfo(path);
            var (length, ticks) = info.Exists ? (info.Length, info.LastWriteTimeUtc.Ticks) : (-1, -1);
            text.Append(CultureInfo.InvariantCulture, $"{path}\t{label}\t{test}\t{length}\t{ticks}\n");
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static void WriteCache(string path, LoadedImageFolder loaded)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.Write(path, stream =>
            {
                using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
                w.Write(CacheMagic);
                w.Write(loaded.Dataset.ClassNames.Count);
                foreach (var name in loaded.Dataset.ClassNames)
                {
                    w.Write(name);
                }
                w.Write(loaded.TestFraction ?? -1);
                w.Write(loaded.SplitSeed);
                w.Write(loaded.Skipped.Count);
                foreach (var s in loaded.Skipped)
                {
                    w.Write(s);
                }
                foreach (var set in new[] { loaded.Dataset.Train, loaded.Dataset.Test })
                {
                    w.Write(set.Count);
                    w.Write(set.Channels);
                    w.Write(set.Rows);
                    w.Write(set.Cols);
                    w.Write(set.Labels);
                    w.Write(set.Pixels);
                }
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A cache that cannot be written costs the next run a decode, nothing more.
        }
    }

    private static LoadedImageFolder? TryReadCache(string path, string full, IReadOnlyList<string> names)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            using var r = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
            if (r.ReadString() != CacheMagic)
            {
                return null;
            }
            var classNames = Enumerable.Range(0, r.ReadInt32()).Select(_ => r.ReadString()).ToList();
            double fraction = r.ReadDouble();
            int seed = r.ReadInt32();
            var skipped = Enumerable.Range(0, r.ReadInt32()).Select(_ => r.ReadString()).ToList();
            ImageSet ReadSet()
            {
                int count = r.ReadInt32(), channels = r.ReadInt32(), rows = r.ReadInt32(), cols = r.ReadInt32();
                var labels = r.ReadBytes(count);
                var pixels = r.ReadBytes(checked(count * channels * rows * cols));
                return labels.Length == count && pixels.Length == count * channels * rows * cols
                    ? new ImageSet(pixels, labels, count, rows, cols, channels)
                    : throw new EndOfStreamException();
            }
            var train = ReadSet();
            var test = ReadSet();
            return classNames.SequenceEqual(names)
                ? new LoadedImageFolder(new LoadedDataset(full, full, train, test, classNames), skipped, true, fraction < 0 ? null : fraction, seed)
                : null;
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or OverflowException or UnauthorizedAccessException or ArgumentException)
        {
            return null; // a damaged cache is decoded again
        }
    }
}
