using Toolchain.Contracts;

namespace Toolchain.TestSupport;

/// <summary>
/// Band-classifier model files whose class names carry a prefix, so a test can tell from any answer which file
/// produced it. Raw preprocessing keeps a band image in its band.
/// </summary>
public static class LabelledTinyModels
{
    /// <summary>
    /// Writes the band classifier with class names "{prefix}0" to "{prefix}9"; <paramref name="mode"/> is its
    /// preprocessing; <paramref name="withIntegrity"/> adds the exporter's integrity record to its card.
    /// </summary>
    public static string Write(string path, string labelPrefix, PreprocessingMode mode = PreprocessingMode.None, bool withIntegrity = false)
    {
        var card = TinyOnnxModels.ImageCard(mode: mode) with
        {
            Labels = Enumerable.Range(0, TinyOnnxModels.Classes).Select(i => $"{labelPrefix}{i}").ToArray(),
        };
        return TinyOnnxModels.WriteImageClassifier(path, card: card, withIntegrity: withIntegrity);
    }

    /// <summary>
    /// Writes the model next to <paramref name="path"/> and renames it over, as deployment tools do;
    /// <paramref name="damage"/> runs on the staged file first (e.g. to flip a weight bit).
    /// </summary>
    public static void Replace(string path, string labelPrefix, bool withIntegrity = false, Action<string>? damage = null)
    {
        var staging = path + ".staging-" + Guid.NewGuid().ToString("N");
        Write(staging, labelPrefix, withIntegrity: withIntegrity);
        damage?.Invoke(staging);
        File.Move(staging, path, overwrite: true);
    }

    /// <summary>A 28×28 white-on-black grey PNG lit in band <paramref name="label"/>: class <paramref name="label"/> in raw mode.</summary>
    public static byte[] Png(int label) => TestImages.Encode(TinyOnnxModels.ImageForClass(label), 28, 28, ImageStyle.WhiteOnBlackGray8);

    /// <summary>Normalised input whose band <paramref name="label"/> is lit, as the model expects it.</summary>
    public static float[] Input(int label) =>
        TinyOnnxModels.ImageForClass(label, on: (float)((1 - 0.1307) / 0.3081), off: (float)(-0.1307 / 0.3081));
}
