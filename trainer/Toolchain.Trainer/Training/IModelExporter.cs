using Toolchain.Contracts;
using Toolchain.Trainer.Onnx;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Toolchain.Trainer.Training;

/// <summary>Writes a trained network of one <see cref="IModelKind"/> to a verified ONNX file.</summary>
public interface IModelExporter
{
    /// <summary>
    /// Exports <paramref name="model"/> with <paramref name="card"/> to <paramref name="path"/>, verified against
    /// TorchSharp on real inputs of <paramref name="data"/>; throws <see cref="ToolchainException"/> with one line and
    /// writes nothing when it cannot.
    /// </summary>
    ExportResult Export(Module<Tensor, Tensor> model, ModelCard card, TrainingData data, string path, ExportSettings settings);
}

/// <summary>How the exported graph takes its input.</summary>
/// <param name="PixelInput">Raw uint8 pixels, scaled and normalised inside the graph (<c>--input uint8</c>).</param>
public sealed record ExportSettings(bool PixelInput = false);
