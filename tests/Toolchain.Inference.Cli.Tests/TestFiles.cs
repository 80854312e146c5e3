using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Toolchain.Contracts;
using Toolchain.Data;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Cli.Tests;

/// <summary>A temporary folder with tiny models, images and datasets for one test class.</summary>
public sealed class TestFiles : IDisposable
{
    public TestFiles()
    {
        Root = Directory.CreateTempSubdirectory("infer-cli-tests-").FullName;
    }

    public string Root { get; }

    public string PathOf(string name) => Path.Combine(Root, name);

    public void Dispose() => Directory.Delete(Root, recursive: true);

    /// <summary>
    /// The tiny 10-class image classifier in its own folder, as the trainer lays models out; with
    /// <paramref name="withIntegrity"/> its card carries the exporter's integrity record.
    /// </summary>
    public string ImageModel(ModelCard? card = null, string folder = "tiny", bool withIntegrity = false)
    {
        Directory.CreateDirectory(PathOf(folder));
        return TinyOnnxModels.WriteImageClassifier(Path.Combine(PathOf(folder), "model.onnx"), card: card, withIntegrity: withIntegrity);
    }

    /// <summary>The binary model p = sigmoid(x0 + x1 − 1) with a card naming the xor dataset.</summary>
    public string BinaryModel(ModelCard? card = null, string folder = "xor")
    {
        Directory.CreateDirectory(PathOf(folder));
        return TinyOnnxModels.WriteBinary(Path.Combine(PathOf(folder), "model.onnx"), card);
    }

    /// <summary>28×28 white-on-black bytes lit in <paramref name="label"/>'s column band: the tiny classifier's class.</summary>
    public static byte[] BandPixels(int label) =>
        TinyOnnxModels.ImageForClass(label).Select(v => (byte)(v * 255)).ToArray();

    /// <summary>Writes a 28×28 grayscale PNG that the tiny classifier (with --raw) puts in <paramref name="label"/>.</summary>
    public string Png(string name, int label)
    {
        var path = PathOf(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var image = Image.LoadPixelData<L8>(BandPixels(label), 28, 28);
        image.SaveAsPng(path);
        return path;
    }

    public string Text(string name, string content)
    {
        var path = PathOf(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public string Bytes(string name, byte[] content)
    {
        var path = PathOf(name);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>
    /// An IDX dataset folder whose test split holds two band images per class, labelled truly except the ones listed in
    /// <paramref name="mislabel"/> (index → label). The train split is a copy: the resolver needs both.
    /// </summary>
    public string IdxDataset(string folder, IReadOnlyDictionary<int, byte>? mislabel = null)
    {
        var dir = PathOf(folder);
        Directory.CreateDirectory(dir);
        const int count = 2 * TinyOnnxModels.Classes;
        var pixels = new byte[count * 784];
        var labels = new byte[count];
        for (var i = 0; i < count; i++)
        {
            var label = i % TinyOnnxModels.Classes;
            BandPixels(label).CopyTo(pixels, i * 784);
            labels[i] = mislabel is not null && mislabel.TryGetValue(i, out var wrong) ? wrong : (byte)label;
        }
        var set = new ImageSet(pixels, labels, count, 28, 28);
        IdxWriter.WriteSplit(dir, "train", set);
        IdxWriter.WriteSplit(dir, "t10k", set);
        return dir;
    }
}
