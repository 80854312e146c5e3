using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Toolchain.Cli.Output;

namespace Toolchain.Trainer.Transfer;

/// <summary>
/// Backbone outputs of an image folder kept on disk beside the decoded-image cache (<c>artifacts/cache</c>), so that a
/// second run over the same files with the same backbone starts training at once. An entry is named by a SHA-256 over
/// everything the outputs depend on (<see cref="KeyOf"/>): the image folder's key (files' paths, sizes and times, the
/// classes, the split and the decode size), the backbone's digest and configuration, and the augmented views asked
/// for. A changed file, backbone or option is a different key, so a cache is never stale, only unused. Each output
/// has its own file (<c>KEY-features.features</c>, <c>KEY-stage.features</c>), so a frozen run reads its few megabytes
/// of features without the stage activations a fine-tuning run cached beside them.
/// </summary>
public static class FeatureCache
{
    private const string Magic = "TOOLCHAIN-FEATURE-CACHE 3 float16";

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

    /// <summary>The file of <paramref name="output"/> in the entry <paramref name="key"/> of <paramref name="directory"/>.</summary>
    public static string PathOf(string directory, string key, string output) => Path.Combine(directory, $"{key}-{output}{Extension}");

    /// <summary>Whether the entry <paramref name="key"/> has a file for each of <paramref name="outputs"/>.</summary>
    public static bool Has(string directory, string key, IEnumerable<string> outputs) => outputs.All(o => File.Exists(PathOf(directory, key, o)));

    /// <summary>
    /// Writes every output of <paramref name="features"/> as the entry <paramref name="key"/>, each file atomically. A
    /// cache that cannot be written (a full disk, a read-only folder) costs the next run a featurization, nothing more:
    /// the problem is returned, not thrown.
    /// </summary>
    public static string? TryWrite(string directory, string key, ImageFeatures features)
    {
        try
        {
            foreach (var output in features.Train.Keys)
            {
                Write(PathOf(directory, key, output), features, output);
            }
            return null;
        }
        catch (Contracts.ToolchainException e)
        {
            return e.Message;
        }
    }

    private static void Write(string path, ImageFeatures features, string output) =>
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
                w.Write(output);
                WriteSplit(w, features.Train[output]);
                WriteSplit(w, features.Test[output]);
            });

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
    /// The outputs <paramref name="outputs"/> of the entry <paramref name="key"/> when each has an intact file; else null
    /// (a damaged or foreign file is computed again and replaced).
    /// </summary>
    public static ImageFeatures? TryRead(string directory, string key, IReadOnlyList<string> outputs)
    {
        ImageFeatures? all = null;
        foreach (var output in outputs)
        {
            var one = TryReadFile(PathOf(directory, key, output), output);
            if (one is null || (all is not null && (!one.ClassNames.SequenceEqual(all.ClassNames) || !one.TrainFiles.SequenceEqual(all.TrainFiles))))
            {
                return null;
            }
            all = all is null ? one : all with
            {
                Train = all.Train.Concat(one.Train).ToDictionary(p => p.Key, p => p.Value),
                Test = all.Test.Concat(one.Test).ToDictionary(p => p.Key, p => p.Value),
            };
        }
        return all;
    }

    private static ImageFeatures? TryReadFile(string path, string output)
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
            if (r.ReadString() != output)
            {
                return null;
            }
            var train = new Dictionary<string, FeatureSplit> { [output] = ReadSplit(r, classNames.Count) };
            var test = new Dictionary<string, FeatureSplit> { [output] = ReadSplit(r, classNames.Count) };
            if (stream.Position != stream.Length || train[output].Count != trainFiles.Length || test[output].Count != testFiles.Length)
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
