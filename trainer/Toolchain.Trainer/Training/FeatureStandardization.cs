namespace Toolchain.Trainer.Training;

/// <summary>
/// Standardises table features exactly as an exported table graph does at its head: the raw value rounded to float32,
/// minus the mean as a float32 constant, then divided by the std as a float32 constant, each step rounded to float32
/// (the graph's Sub then Div). Training and evaluating on these values means the ONNX file on raw features and
/// TorchSharp differ only by the rounding of the layers after the head.
/// </summary>
internal static class FeatureStandardization
{
    /// <summary>
    /// Row-major <paramref name="raw"/> features ([rows, means.Length]) standardised by <paramref name="means"/> and
    /// <paramref name="stds"/>, one per feature.
    /// </summary>
    public static float[] Apply(ReadOnlySpan<double> raw, IReadOnlyList<double> means, IReadOnlyList<double> stds)
    {
        int width = means.Count;
        var mean = new float[width];
        var std = new float[width];
        for (int f = 0; f < width; f++)
        {
            mean[f] = (float)means[f];
            std[f] = (float)stds[f];
        }
        var values = new float[raw.Length];
        for (int i = 0; i < values.Length; i++)
        {
            int f = i % width;
            // Two statements, so each result is rounded to float32 as the graph's two operators round theirs.
            float centred = (float)raw[i] - mean[f];
            values[i] = centred / std[f];
        }
        return values;
    }
}
