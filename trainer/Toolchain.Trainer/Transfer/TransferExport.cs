using System.Globalization;
using Toolchain.Contracts;
using Toolchain.Imaging;
using Toolchain.Trainer.Onnx;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Transfer;

/// <summary>
/// Writes a finished transfer run as one verified model.onnx through <see cref="TransferModelExporter"/>: the card
/// carries what the run knows (labels, data, figures, and the recipe in its hyperparameters: fine-tuning, head choice,
/// augmentation, validation split), and the graph is checked against TorchSharp on a few of the run's test pictures.
/// </summary>
public static class TransferExport
{
    /// <summary>Exports; a refused export is a <see cref="ToolchainException"/> and leaves no file.</summary>
    public static ExportResult Write(TransferOptions o, TransferBackbone backbone, TransferResult result, string path, bool pixelInput)
    {
        var card = new ModelCard
        {
            // The exporter fills in the contract (input, outputs, preprocessing, architecture, backbone record).
            Task = ModelTask.Multiclass,
            Labels = result.ClassNames,
            InputLayout = InputLayout.Nchw,
            InputShape = [-1, 3, backbone.Height, backbone.Width],
            ElementType = ElementType.Float32,
            OutputName = "logits",
            DatasetName = o.Dataset,
            TrainCount = result.Counts.Train + result.Counts.Validation,
            TestCount = result.Counts.Test,
            Hyperparameters = Hyperparameters(o, result),
            Seed = o.Seed,
            TestAccuracy = result.Test.Accuracy,
            TestLoss = result.Test.Loss,
        };
        using var pixels = SamplePixels(result.SampleFiles, backbone);
        var request = new TransferExportRequest(backbone.Backbone, backbone.Graph, result.Head, result.HeadSpec, card, pixels) { PixelInput = pixelInput };
        return TransferModelExporter.Export(request, path);
    }

    /// <summary>The recipe as the card's hyperparameters record it.</summary>
    public static IReadOnlyDictionary<string, string> Hyperparameters(TransferOptions o, TransferResult result)
    {
        static string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var h = new Dictionary<string, string>
        {
            ["fine_tune"] = EnumText.Of(o.FineTune),
            ["head"] = result.HeadSpec.Canonical,
            ["head_choice"] = result.Trials.Count > 1
                ? "best validation accuracy of " + string.Join("; ", result.Trials.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Spec} {100 * t.ValidationAccuracy:0.00}%")))
                : "given by --head",
            ["epochs"] = o.Epochs.ToString(CultureInfo.InvariantCulture),
            ["batch_size"] = o.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["optimizer"] = "adam",
            ["lr"] = N(o.LearningRate),
            ["weight_decay"] = N(o.WeightDecay),
            ["patience"] = o.Patience.ToString(CultureInfo.InvariantCulture),
            ["validation_fraction"] = N(o.ValidationFraction),
            ["validation_count"] = result.Counts.Validation.ToString(CultureInfo.InvariantCulture),
            ["augment"] = o.Augment == "none" ? "none" : $"{o.Augment}: {o.Views} cached augmented view(s) per training image, never in the graph",
            ["frozen_test_accuracy"] = N(result.FrozenTestAccuracy),
        };
        h.RecordSplitSeed(o.SplitSeed);
        if (o.FineTune != FineTuneMode.None)
        {
            h["fine_tune_epochs"] = o.FineTuneEpochsFor(result.Counts.Train + result.Counts.Validation).ToString(CultureInfo.InvariantCulture);
            h["fine_tune_batch_size"] = o.FineTuneBatchSize.ToString(CultureInfo.InvariantCulture);
            h["backbone_lr"] = N(o.LearningRate * o.BackboneLrFactor);
            h["lr_schedule"] = "fine-tuning: linear warm-up over 5% of the steps, then cosine";
        }
        if (result.TestFraction is { } fraction)
        {
            h.RecordTestFraction(fraction);
        }
        if (result.Skipped.Count > 0)
        {
            h["skipped_images"] = result.Skipped.Count.ToString(CultureInfo.InvariantCulture);
        }
        return h;
    }

    /// <summary>The pictures decoded and resized to the backbone's input, [N,3,H,W] pixel values 0–255 as float32.</summary>
    private static Tensor SamplePixels(IReadOnlyList<string> files, TransferBackbone backbone)
    {
        var pre = new CropResizePreprocessor(3, backbone.Height, backbone.Width);
        var images = new List<byte[]>();
        foreach (var file in files)
        {
            try
            {
                images.Add(pre.ToBytes(file));
            }
            catch (InvalidInputFileException)
            {
                // Changed since it was featurized: the exporter verifies on its random images regardless.
            }
        }
        var all = images.SelectMany(b => b).ToArray();
        using var bytes = tensor(all, [images.Count, 3, backbone.Height, backbone.Width]);
        return bytes.to(float32);
    }
}
