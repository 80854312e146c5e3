using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using Toolchain.TestSupport;
using Toolchain.Trainer.Transfer;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Tests.Transfer;

/// <summary>A private folder with the tiny backbones of <see cref="TinyBackbones"/> and their configs.</summary>
internal sealed class TransferFiles : IDisposable
{
    public TransferFiles()
    {
        Dir = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "toolchain-transfer-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Dir);
        TinyBackbones.WriteCntkLike(Path("tiny.onnx"));
        TinyBackbones.WriteModern(Path("modern.onnx"));
        MeanImage = TinyBackbones.WriteMeanImage(Path("prep.onnx"));
        File.WriteAllText(Path("tiny.json"), TinyBackbones.CntkConfig());
        File.WriteAllText(Path("tiny-mean-image.json"), TinyBackbones.CntkConfig(meanImageFile: "prep.onnx"));
        File.WriteAllText(Path("modern.json"), TinyBackbones.ModernConfig());
    }

    public string Dir { get; }

    public float[] MeanImage { get; }

    public string Path(string name) => System.IO.Path.Combine(Dir, name);

    public string Sha256(string name) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path(name))));

    public BackboneConfig Config(string name) => BackboneConfig.Load(Path(name));

    public Backbone Backbone(string config = "tiny.json") => Trainer.Transfer.Backbone.Load(null, Config(config));

    /// <summary>Writes <paramref name="json"/> as a config and loads it.</summary>
    public BackboneConfig ConfigFrom(string json, string name = "custom.json")
    {
        File.WriteAllText(Path(name), json);
        return BackboneConfig.Load(Path(name));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Seeded float images in [0, scale).</summary>
    public static Tensor Images(long n, long size, int seed, double scale = 1)
    {
        using var g = new Generator((ulong)seed);
        return rand([n, 3, size, size], generator: g).mul(scale);
    }

    /// <summary>Runs one input through an ONNX file in a fresh ORT CPU session; returns the output's shape and values.</summary>
    public static (long[] Shape, float[] Values) Ort(string path, string input, string output, Tensor x)
    {
        using var session = new InferenceSession(path);
        var c = x.contiguous();
        using var value = c.dtype == ScalarType.Byte
            ? OrtValue.CreateTensorValueFromMemory(c.data<byte>().ToArray(), c.shape)
            : OrtValue.CreateTensorValueFromMemory(c.to_type(ScalarType.Float32).data<float>().ToArray(), c.shape);
        using var options = new RunOptions();
        using var results = session.Run(options, [input], [value], [output]);
        return (results[0].GetTensorTypeAndShape().Shape, results[0].GetTensorDataAsSpan<float>().ToArray());
    }

    /// <summary>Largest |a − b| over the largest |b| (at least 1): the relative error of a whole output.</summary>
    public static double Relative(float[] a, float[] b)
    {
        Assert.Equal(b.Length, a.Length);
        double max = 0, scale = 1;
        for (int i = 0; i < a.Length; i++)
        {
            Assert.False(float.IsNaN(a[i]) || float.IsNaN(b[i]), $"NaN at {i}");
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
            scale = Math.Max(scale, Math.Abs(b[i]));
        }
        return max / scale;
    }
}
