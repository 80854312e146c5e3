using Toolchain.Shared.Cards;
using Toolchain.Shared.Models;
using TorchSharp;
using static TorchSharp.torch;
using Sequential = TorchSharp.Modules.Sequential;

namespace Toolchain.Trainer.Onnx;

/// <summary>What to export: a trained network, the spec it was built from, its card and real inputs to verify on.</summary>
/// <param name="Model">The network built by <c>ModelBuilder</c> from <paramref name="Spec"/>, float32 or float64, on any device.</param>
/// <param name="Spec">The architecture spec; the exporter walks it to emit nodes.</param>
/// <param name="InputShape">Input shape without the batch axis, e.g. [1,28,28] or [2].</param>
/// <param name="Card">The model card; the exporter fills in the graph's input/output names, element type, task and parity.</param>
/// <param name="VerificationInputs">A batch of real, model-ready (normalised) test inputs; random inputs are added by the exporter.</param>
public sealed record ExportRequest(Sequential Model, ArchitectureSpec Spec, IReadOnlyList<long> InputShape, ModelCard Card, Tensor VerificationInputs);

/// <summary>What an export wrote and how closely ONNX Runtime matched TorchSharp.</summary>
/// <param name="Path">The ONNX file written.</param>
/// <param name="MaxAbsDiff">Largest absolute output difference between ONNX Runtime (CPU) and TorchSharp in eval mode.</param>
/// <param name="VerifiedSamples">How many inputs (real plus random) were compared.</param>
/// <param name="Card">The card as written into the file.</param>
public sealed record ExportResult(string Path, double MaxAbsDiff, int VerifiedSamples, ModelCard Card);

/// <summary>
/// Exports a TorchSharp network to a self-describing ONNX file (opset 17, IR 8) by walking its architecture spec,
/// then verifies the file in ONNX Runtime against TorchSharp. The file is written atomically and removed when
/// verification fails (max abs diff above 1e-5 for float32 or 1e-12 for float64).
/// </summary>
public static class OnnxExporter
{
    /// <summary>ONNX opset the exporter targets.</summary>
    public const int Opset = 17;

    /// <summary>ONNX IR version the exporter writes.</summary>
    public const long IrVersion = 8;

    /// <summary>Exports and verifies; throws <see cref="Shared.Errors.ToolchainException"/> with one line on failure, leaving no file.</summary>
    public static ExportResult Export(ExportRequest request, string path) =>
        throw new NotImplementedException("OnnxExporter.Export is being written");
}
