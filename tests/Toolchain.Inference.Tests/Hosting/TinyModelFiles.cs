using Toolchain.TestSupport;

namespace Toolchain.Inference.Tests.Hosting;

/// <summary>
/// Band-classifier model files whose class names carry a prefix, so a test can tell from any answer which file
/// produced it. Raw preprocessing keeps a band image in its band.
/// </summary>
internal static class TinyModelFiles
{
    public static string Write(string path, string labelPrefix)
    {
        var card = TinyOnnxModels.ImageCard(mode: "raw") with
        {
            Labels = Enumerable.Range(0, TinyOnnxModels.Classes).Select(i => $"{labelPrefix}{i}").ToArray(),
        };
        return TinyOnnxModels.WriteImageClassifier(path, card: card);
    }

    /// <summary>Writes the model next to <paramref name="path"/> and renames it over, as deployment tools do.</summary>
    public static void Replace(string path, string labelPrefix)
    {
        var staging = path + ".staging-" + Guid.NewGuid().ToString("N");
        Write(staging, labelPrefix);
        File.Move(staging, path, overwrite: true);
    }

    /// <summary>Normalised input whose band <paramref name="label"/> is lit, as the model expects it.</summary>
    public static float[] Input(int label) =>
        TinyOnnxModels.ImageForClass(label, on: (float)((1 - 0.1307) / 0.3081), off: (float)(-0.1307 / 0.3081));
}
