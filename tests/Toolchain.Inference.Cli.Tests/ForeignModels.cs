using Google.Protobuf;
using Onnx;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Cli.Tests;

/// <summary>The tiny test models without our model card ("foreign"), optionally with a bias that makes every output NaN.</summary>
internal static class ForeignModels
{
    /// <summary>The binary model p = sigmoid(x0 + x1 − 1) with no card; with <paramref name="nan"/>, p is NaN.</summary>
    public static string Binary(string path, bool nan = false)
    {
        TinyOnnxModels.WriteBinary(path);
        return Rewrite(path, model =>
        {
            if (nan)
            {
                var b = model.Graph.Initializer.Single(t => t.Name == "b");
                b.DoubleData[0] = double.NaN;
            }
        });
    }

    /// <summary>The 10-class image classifier with no card and every logit NaN.</summary>
    public static string NaNImageClassifier(string path)
    {
        TinyOnnxModels.WriteForeignImageClassifier(path);
        return Rewrite(path, model =>
        {
            var b = model.Graph.Initializer.Single(t => t.Name == "b");
            b.RawData = ByteString.CopyFrom(Enumerable.Repeat(float.NaN, TinyOnnxModels.Classes).SelectMany(BitConverter.GetBytes).ToArray());
        });
    }

    private static string Rewrite(string path, Action<ModelProto> change)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        model.MetadataProps.Clear();
        change(model);
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }
}
