using System.Buffers.Binary;
using System.IO.Compression;
using Toolchain.Data;

namespace Toolchain.TestSupport;

/// <summary>Real MNIST digits from the repository's data/mnist-sample (IDX, gzip).</summary>
public static class MnistSample
{
    /// <summary>The checkout's data/mnist-sample folder, found as the tools find it.</summary>
    public static string Directory =>
        DataPaths.FindBundledSample() ?? throw new DirectoryNotFoundException("data/mnist-sample not found above " + AppContext.BaseDirectory);

    /// <summary>The first <paramref name="count"/> test digits (784 bytes each, white on black) and their labels.</summary>
    public static (byte[][] Images, byte[] Labels) LoadTest(int count) => Load("t10k", count);

    /// <summary>The first <paramref name="count"/> training digits (784 bytes each, white on black) and their labels.</summary>
    public static (byte[][] Images, byte[] Labels) LoadTrain(int count) => Load("train", count);

    private static (byte[][] Images, byte[] Labels) Load(string set, int count)
    {
        var images = Gunzip(Path.Combine(Directory, $"{set}-images-idx3-ubyte.gz"));
        var labels = Gunzip(Path.Combine(Directory, $"{set}-labels-idx1-ubyte.gz"));
        var n = Math.Min(count, BinaryPrimitives.ReadInt32BigEndian(images.AsSpan(4)));
        var result = new byte[n][];
        for (var i = 0; i < n; i++)
        {
            result[i] = images.AsSpan(16 + (i * 784), 784).ToArray();
        }
        return (result, labels.AsSpan(8, n).ToArray());
    }

    private static byte[] Gunzip(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }
}
