using Toolchain.Contracts;
using Toolchain.Trainer.Models;
using Toolchain.Trainer.Onnx;
using static TorchSharp.torch;
using Sequential = TorchSharp.Modules.Sequential;

namespace Toolchain.Trainer.Training;

/// <summary>Exports a trained network with real test inputs for the exporter's verification.</summary>
public static class ModelExport
{
    /// <summary>Real test inputs given to the exporter's verification.</summary>
    public const int VerificationCount = 256;

    /// <summary>
    /// Exports <paramref name="model"/> to <paramref name="path"/>, verified on the first test inputs of
    /// <paramref name="data"/>; with <paramref name="pixelInput"/> the graph takes uint8 pixels (see <see cref="ExportRequest.PixelInput"/>).
    /// </summary>
    public static ExportResult Export(Sequential model, ArchitectureSpec spec, ModelCard card, TrainingData data, string path, bool pixelInput = false)
    {
        model.eval();
        using var inputs = data.TestX.narrow(0, 0, Math.Min(VerificationCount, data.TestCount));
        var request = new ExportRequest(model, spec, data.InputShape, card, inputs)
        {
            PixelInput = pixelInput,
            InputNormalization = data.Kind == DataKind.Table ? (data.FeatureMeans, data.FeatureStds) : null,
            OutputScaling = data.IsRegression ? (data.TargetMeans, data.TargetStds) : null,
        };
        return OnnxExporter.Export(request, path);
    }
}
