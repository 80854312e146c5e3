using System.Diagnostics;
using Toolchain.Contracts;
using Toolchain.Data;
using Toolchain.Inference.Runtime;

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
        var ready = new ModelReadyImages(info, images);
        long ticks = 0;
        for (var start = 0; start < images.Count; start += batchSize)
        {
            var count = Math.Min(batchSize, images.Count - start);
            ready.Write(start, count, buffer);
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
