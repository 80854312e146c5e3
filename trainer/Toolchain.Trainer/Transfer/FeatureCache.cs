using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Toolchain.Shared.Errors;

namespace Toolchain.Trainer.Transfer;

/// <summary>
/// Backbone outputs of an image folder kept on disk beside the decoded-image cache (<c>artifacts/cache</c>), so that a
/// second run over the same files with the same backbone starts training at once. The file is named by a SHA-256 over
/// everything the outputs depend on (<see cref="KeyOf"/>): the image folder's key (files' paths, sizes and times, the
/// classes, the split and the decode size), the backbone's digest and configuration, the outputs and the augmented
/// views asked for. A changed file, backbone or option is a different key, so a cache is never stale, only unused.
/// </summary>
public static class FeatureCache
{
    private const string Magic = "TOOLCHAIN-FEATURE-CACHE 2 float16";

    /// <summary>The file extension of a cache entry.</summary>
    public const string Extension = ".features";

    /// <summary>The cache key of the given parts (each one line of text), as 64 hex digits.</summary>
    public static string KeyOf(IEnumerable<string> parts)
    {
        var text = new StringBuilder(Magic).Append('\n');
        foreach (var part in parts)
        {
            text.Append(part.Replace('\n', ' ')).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>The path of the entry with <paramref name="key"/> in <paramref name="directory"/>.</summary>
    public static string PathOf(string directory, string key) => Path.Combine(directory, key + Extension);

    /// <summary>
    /// Writes <paramref name="features"/> to <paramref name="path"/> atomically. A cache that cannot be written (a full
    /// disk, a read-only folder) costs the next run a featurization, nothing more: the problem is returned, not thrown.
    /// </summary>
    public static string? TryWrite(string path, ImageFeatures features)
    {
        try
        {
            AtomicFile.Write(path, stream =>
            {
                using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
                w.Write(Magic);
                w.Write(features.ClassNames.Count);
                foreach (var name in features.ClassNames)
                {
                    w.Write(name);
                }
                w.Write(features.TestFraction ?? -1);
                w.Write(features.SplitSeed);
                w.Write(features.Skipped.Count);
                foreach (var s in features.Skipped)
                {
                    w.Write(s);
                }
                foreach (var files in new[] { features.TrainFiles, features.TestFiles })
                {
                    w.Write(files.Length);
                    w.Write(MemoryMarshal.AsBytes(files.AsSpan()));
                }
                w.Write(features.Train.Count);
                foreach (var (name, train) in features.Train)
                {
                    w.Write(name);
                    WriteSplit(w, train);
                    WriteSplit(w, features.Test[name]);
                }
            });
            return null;
        }
        catch (Contracts.ToolchainException e)
        {
            return e.Message;
        }
    }

    private static void WriteSplit(BinaryWriter w, FeatureSplit split)
    {
        w.Write(split.Views);
        w.Write(split.Count);
        w.Write(split.Shape.Length);
        foreach (var d in split.Shape)
        {
            w.Write(d);
        }
        w.Write(MemoryMarshal.AsBytes(split.Labels.AsSpan()));
        w.Flush();
        w.BaseStream.Write(MemoryMarshal.AsBytes(split.Values.AsSpan()));
    }

    /// <summary>
    /// The entry at <paramref name="path"/> when it exists, is intact and holds <paramref name="outputs"/>; else null
    /// (a damaged or foreign file is computed again and replaced).
    /// </summary>
    public static ImageFeatures? TryRead(string path, IReadOnlyList<string> outputs)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            using var r = new BinaryReader(stream, Encoding.UTF8);
            if (r.ReadString() != Magic)
            {
                return null;
            }
            var classNames = Enumerable.Range(0, Count(r.ReadInt32())).Select(_ => r.ReadString()).ToList();
            double fraction = r.ReadDouble();
            int seed = r.ReadInt32();
            var skipped = Enumerable.Range(0, Count(r.ReadInt32())).Select(_ => r.ReadString()).ToList();
            var trainFiles = ReadInts(r);
            var testFiles = ReadInts(r);
            int outputCount = Count(r.ReadInt32());
            var train = new Dictionary<string, FeatureSplit>();
            var test = new Dictionary<string, FeatureSplit>();
            for (int o = 0; o < outputCount; o++)
            {
                var name = r.ReadString();
                train[name] = ReadSplit(r, classNames.Count);
                test[name] = ReadSplit(r, classNames.Count);
            }
            if (stream.Position != stream.Length || !outputs.All(train.ContainsKey)
                || train.Values.Any(t => t.Count != trainFiles.Length) || test.Values.Any(t => t.Count != testFiles.Length))
            {
                return null;
            }
            return new ImageFeatures(classNames, train, test, skipped, fraction < 0 ? null : fraction, seed, trainFiles, testFiles);
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or OverflowException or UnauthorizedAccessException
            or ArgumentException or FormatException or InvalidDataException)
        {
            return null;
        }
    }

    private static FeatureSplit ReadSplit(BinaryReader r, int classes)
    {
        int views = r.ReadInt32(), count = r.ReadInt32(), rank = r.ReadInt32();
        if (views < 1 || count < 0 || rank is < 1 or > 4)
        {
            throw new InvalidDataException("bad split header");
        }
        var shape = Enumerable.Range(0, rank).Select(_ => r.ReadInt64()).ToArray();
        long width = shape.Aggregate(1L, (a, b) => a * b);
        long values = checked(views * (long)count * width);
        if (shape.Any(d => d < 1) || values > r.BaseStream.Length)
        {
            throw new InvalidDataException("bad split shape");
        }
        var labels = new int[count];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(labels.AsSpan()));
        if (labels.Any(l => l < 0 || l >= classes))
        {
            throw new InvalidDataException("bad label");
        }
        var data = new Half[values];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
        return new FeatureSplit(labels, data, shape, views);
    }

    private static int[] ReadInts(BinaryReader r)
    {
        var values = new int[Count(r.ReadInt32())];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    private static int Count(int n) => n is >= 0 and <= 100_000_000 ? n : throw new InvalidDataException("bad count");

    /// <summary>"1.2 MB" for <paramref name="bytes"/>, for messages.</summary>
    public static string Size(long bytes) => bytes switch
    {
        < 1 << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        < 1 << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.##} GB"),
    };
}
