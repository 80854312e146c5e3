using Toolchain.Contracts;
using Toolchain.Trainer.Models;
using Toolchain.Trainer.Onnx;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using Sequential = TorchSharp.Modules.Sequential;

namespace Toolchain.Trainer.Training;

/// <summary>
/// A sequential network described by an <see cref="ArchitectureSpec"/>: built by <see cref="ModelBuilder"/>, exported
/// by walking the spec (<see cref="OnnxExporter"/>). Built-in models, <c>--arch</c> and a transfer head are this kind.
/// </summary>
/// <param name="Spec">The architecture.</param>
/// <param name="InputShape">Input shape without the batch axis.</param>
public sealed record SpecModelKind(ArchitectureSpec Spec, IReadOnlyList<long> InputShape) : IModelKind, IModelExporter
{
    /// <inheritdoc />
    public string Architecture => Spec.Canonical;

    /// <summary>Something the user should know about how this network trains here (see <see cref="ConvolutionGradients"/>), or null.</summary>
    public string? Note { get; init; }

    /// <inheritdoc />
    public IModelExporter Exporter => this;

    /// <inheritdoc />
    public Module<Tensor, Tensor> Build() => ModelBuilder.Build(Spec, InputShape);

    /// <inheritdoc />
    public ExportResult Export(Module<Tensor, Tensor> model, ModelCard card, TrainingData data, string path, ExportSettings settings) =>
        ModelExport.Export(model as Sequential ?? throw new ArgumentException("a spec model is a Sequential", nameof(model)),
            Spec, card, data, path, settings.PixelInput);
}
