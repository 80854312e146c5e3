using Toolchain.Contracts;

namespace Toolchain.TestSupport;

/// <summary>
/// A real, if simple, digit classifier built in milliseconds from data/mnist-sample: nearest class mean (centroid) in
/// normalised pixel space, written as one linear layer (logit_c = 2·μ_c·x − |μ_c|², which ranks classes as the negated
/// squared distance does). It reads drawn digits well enough for tests that need the digit drawn to come back, with
/// no trained artifact in a clean clone.
/// </summary>
public static class MnistCentroidModel
{
    /// <summary>MNIST's normalisation.</summary>
    public const double Mean = 0.1307, Std = 0.3081;

    /// <summary>
    /// Writes the model, its centroids from the first <paramref name="trainCount"/> training digits; different counts
    /// give different files (and versions). Labels are "0" to "9", preprocessing digit.
    /// </summary>
    public static string Write(string path, int trainCount = 3000)
    {
        var (images, labels) = MnistSample.LoadTrain(trainCount);
        const int classes = TinyOnnxModels.Classes, pixels = TinyOnnxModels.Pixels;
        var sums = new double[classes * pixels];
        var counts = new int[classes];
        for (var i = 0; i < images.Length; i++)
        {
            var c = labels[i];
            counts[c]++;
            for (var p = 0; p < pixels; p++)
            {
                sums[(c * pixels) + p] += ((images[i][p] / 255.0) - Mean) / Std;
            }
        }
        var weights = new float[classes * pixels];
        var bias = new float[classes];
        for (var c = 0; c < classes; c++)
        {
            double norm = 0;
            for (var p = 0; p < pixels; p++)
            {
                var mean = sums[(c * pixels) + p] / Math.Max(1, counts[c]);
                weights[(c * pixels) + p] = (float)(2 * mean);
                norm += mean * mean;
            }
            bias[c] = (float)-norm;
        }
        var card = TinyOnnxModels.ImageCard(mean: Mean, std: Std, mode: PreprocessingMode.Digit) with
        {
            Labels = Enumerable.Range(0, classes).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            DatasetName = "mnist-sample",
            Architecture = "nearest centroid as linear(10)",
            TestAccuracy = null,
        };
        return TinyOnnxModels.WriteLinearImageClassifier(path, weights, bias, card);
    }
}
