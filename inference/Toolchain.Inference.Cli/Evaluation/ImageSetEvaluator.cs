using System.Diagnostics;
using Toolchain.Contracts;
using Toolchain.Inference.Imaging;
using Toolchain.Inference.Runtime;
using Toolchain.Shared.Data;

namespace Toolchain.Inference.Cli.Evaluation;

/// <summary>Predictions for a whole test split and how long the model took over them.</summary>
/// <param name="Predicted">Predicted class per image.</param>
/// <param name="InferenceSeconds">Time spent inside the model (the classify calls), excluding normalisation.</param>
internal sealed record ImageSetPredictions(int[] Predicted, double InferenceSeconds);

/// <summary>Runs a model over every image of a split in batches.</summary>
internal static class ImageSetEvaluator
{
    public static ImageSetPredictions Run(OnnxModel model, ImageSet images, int batchSize, Action<int>? progress = null)
    {
        var info = model.Info;
        if (info.FeatureCount != images.ImageSize)
        {
            throw new Contracts.ToolchainException(
                $"the model takes {info.FeatureCount} values per example but the dataset's images are {images.Rows}x{images.Cols}");
        }
        var predicted = new int[images.Count];
        var size = images.ImageSize;
        var buffer = new float[Math.Min(batchSize, images.Count) * size];
        long ticks = 0;
        for (var start = 0; start < images.Count; start += batchSize)
        {
            var count = Math.Min(batchSize, images.Count - start);
            var pixels = images.Pixels.AsSpan(start * size, count * size);
            // Per channel: colour models from image folders carry one mean and std per channel (older cards one for all);
            // a uint8 graph is given the pixels themselves.
            var (means, stds) = info.Card?.PixelNormalizationFor(images.Channels)
                ?? (Enumerable.Repeat(info.Mean, images.Channels).ToArray(), Enumerable.Repeat(info.Std, images.Channels).ToArray());
            int plane = images.Rows * images.Cols;
            for (var k = 0; k < count * images.Channels; k++)
            {
                int c = k % images.Channels;
                PixelNormalizer.Normalize(pixels.Slice(k * plane, plane), means[c], stds[c], buffer.AsSpan(k * plane, plane));
            }
            var t0 = Stopwatch.GetTimestamp();
            var batch = model.Classify(buffer.AsSpan(0, count * size), count);
            ticks += Stopwatch.GetTimestamp() - t0;
            for (var i = 0; i < count; i++)
            {
                predicted[start + i] = batch[i].Label;
            }
            progress?.Invoke(count);
        }
        return new ImageSetPredictions(predicted, (double)ticks / Stopwatch.Frequency);
    }
}
