using Onnx;
using Toolchain.Contracts;
using Toolchain.Trainer.Models;
using Toolchain.Trainer.Onnx;
using Toolchain.Trainer.Transfer.Graph;
using static TorchSharp.torch;
using Sequential = TorchSharp.Modules.Sequential;

namespace Toolchain.Trainer.Transfer;

/// <summary>What to export: a backbone (as trained), the head on its features, the card, and real images to verify on.</summary>
/// <param name="Backbone">The backbone file and config the model was built from (name, digest, source, licence, preprocessing).</param>
/// <param name="Graph">The imported backbone with its current weights and BatchNorm statistics (fine-tuned or not).</param>
/// <param name="Head">The head, built by <c>ModelBuilder</c> from <paramref name="HeadSpec"/> for input [<see cref="ImportedGraph.HeadWidth"/>], float32.</param>
/// <param name="HeadSpec">The head's architecture spec.</param>
/// <param name="Card">
/// The card with what training knows (labels, dataset, metrics, hyperparameters, seed); the exporter fills in the
/// input and output contract, the preprocessing, the architecture and the <see cref="ModelCard.Backbone"/> record.
/// </param>
/// <param name="VerificationPixels">A few real images [N, 3, H, W], RGB pixels 0–255 (any dtype), already resized; random ones are added.</param>
public sealed record TransferExportRequest(
    Backbone Backbone, ImportedGraph Graph, Sequential Head, ArchitectureSpec HeadSpec, ModelCard Card, Tensor VerificationPixels)
{
    /// <summary>Whether the graph takes uint8 pixels (<c>--input uint8</c>) rather than float pixels in [0,1].</summary>
    public bool PixelInput { get; init; }

    /// <summary>How images were brought to the input size, for the card; null for the default rule (shorter side, then centre crop).</summary>
    public string? Resize { get; init; }
}

/// <summary>
/// Writes one verified model.onnx for a transfer-learned classifier: pixels in (uint8 or float, RGB, resized
/// outside), the backbone's preprocessing, the backbone with its trained weights, what the head reads (the output
/// flattened, with the last stage's input averaged and appended unless asked otherwise), the head (emitted as
/// every spec is, by <see cref="OnnxGraphEmitter"/>), and <c>logits</c> and <c>probabilities</c>. Like
/// <see cref="OnnxExporter"/> it verifies the file in ONNX Runtime against TorchSharp (<see cref="TransferNetwork"/>)
/// before writing it atomically with the parity and the integrity record in its card, and writes nothing past the
/// tolerance.
/// </summary>
public static class TransferModelExporter
{
    /// <summary>
    /// The parity tolerance per unit of the largest logit: 1e-4, ten times a spec model's 1e-5, because ONNX Runtime
    /// and libtorch sum a backbone's ~20 convolutions of hundreds of terms each in different orders, with kernels that
    /// differ between CPUs. Measured on the built-in ResNet18 with photos: 1.3e-6 on logits up to ~2 (features 1e-6
    /// relative); a wrong weight, op or preprocessing step differs by 1e-2 and more.
    /// </summary>
    public const double Tolerance = 1e-4;

    /// <summary>Random images verified besides the real ones (few: each runs the whole backbone twice).</summary>
    internal static readonly int[] RandomBatchSizes = [1, 2];

    /// <summary>Exports and verifies; throws <see cref="ToolchainException"/> with one line on failure, leaving no file.</summary>
    public static ExportResult Export(TransferExportRequest request, string path)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var graph = request.Graph;
        var config = request.Backbone.Config;
        long[] featureShape = [graph.HeadWidth];
        var outputs = OnnxOutputs.For(request.HeadSpec.Layers, request.HeadSpec.InferShapes(featureShape), featureShape);
        if (!outputs.IsMulticlass)
        {
            throw new ToolchainException("export: a transfer-learned classifier needs a head with two or more outputs");
        }
        if (request.Card.Labels.Count != outputs.Width)
        {
            throw new ToolchainException($"export: the model card has {request.Card.Labels.Count} labels but the head has {outputs.Width} outputs");
        }
        if (request.Head.parameters().Any(p => p.dtype != ScalarType.Float32))
        {
            throw new ToolchainException("export: a transfer-learned head must be float32, as the backbone is");
        }

        using var preprocessing = new BackbonePreprocessing(request.Backbone, request.PixelInput);
        var head = OnnxGraphEmitter.Emit(request.HeadSpec.Layers, request.Head.named_children().Select(c => c.module).ToList(),
            featureShape, OnnxElementType.Float32, outputs);
        var proto = BackboneGraphs.Classifier(graph, preprocessing, head);
        var card = CardFor(request, outputs);

        // The network registers the three parts as its children; it must not dispose them (the caller owns them).
        var network = new TransferNetwork(preprocessing, graph, request.Head);
        var batches = VerificationBatches(request.VerificationPixels, [.. preprocessing.Shape], request.PixelInput);
        Func<Tensor, (Tensor Graph, Tensor Network)>? inputs = request.PixelInput ? x => (x.to_type(ScalarType.Byte), x) : null;
        return OnnxExporter.VerifyAndWrite(proto, card, path, network, batches, OnnxElementType.Float32, outputs, inputs, Tolerance);
    }

    /// <summary>The card's contract for the composed graph, and its backbone record.</summary>
    private static ModelCard CardFor(TransferExportRequest request, OnnxOutputs outputs)
    {
        var config = request.Backbone.Config;
        var graph = request.Graph;
        var head = request.HeadSpec.Canonical;
        return request.Card with
        {
            Task = outputs.Task,
            InputName = OnnxGraphEmitter.InputName,
            InputLayout = InputLayout.Nchw,
            InputShape = [-1, config.Channels, config.Height, config.Width],
            ElementType = request.PixelInput ? ElementType.UInt8 : ElementType.Float32,
            OutputName = outputs.OutputName,
            ProbabilitiesName = outputs.ProbabilitiesName,
            // The graph takes pixels as stored (RGB) scaled to [0,1] (float) or 0-255 (uint8) and applies the
            // backbone's own preprocessing itself, so callers apply no mean or std.
            PixelConvention = PixelConvention.AsStored,
            Mean = 0,
            Std = 1,
            ChannelMeans = [],
            ChannelStds = [],
            NormalizationInGraph = true,
            PreprocessingMode = PreprocessingMode.Resize,
            Architecture = $"{config.Name} > {head}",
            Backbone = new BackboneRecord
            {
                Name = config.Name,
                Sha256 = request.Backbone.Sha256,
                Source = config.Source,
                Licence = config.Licence,
                Tuning = graph.Tuning switch
                {
                    BackboneTuning.All => "all",
                    BackboneTuning.Last => $"last stage, from {graph.LastStageInput}",
                    _ => "frozen",
                },
                Head = head,
                Features = graph.FeatureText,
                Resize = request.Resize
                    ?? $"shorter side resized to {Math.Min(config.Height, config.Width)}, centre crop {config.Height}×{config.Width}, outside the graph",
            },
            ExportParity = null,
            GraphSha256 = null,
            Reference = null,
            ToolchainVersion = ModelCard.CurrentVersion,
        };
    }

    /// <summary>The real images and a few random ones, as the graph's input type: uint8 pixels, or floats in [0,1].</summary>
    private static List<Tensor> VerificationBatches(Tensor real, long[] shape, bool pixelInput)
    {
        if (real.dim() != 4 || !real.shape.Skip(1).SequenceEqual(shape))
        {
            throw new ToolchainException(
                $"export: verification images have shape [{string.Join(',', real.shape)}] but the backbone takes [N,{string.Join(',', shape)}]");
        }
        var batches = new List<Tensor>();
        using var generator = new Generator(20_240_917);
        var all = new List<Tensor>();
        if (real.shape[0] > 0)
        {
            var cpu = real.detach().cpu();
            all.Add(cpu.dtype == ScalarType.Byte ? cpu.clone() : cpu.to_type(ScalarType.Float32).round().clamp(0, 255).to_type(ScalarType.Byte));
        }
        foreach (var n in RandomBatchSizes)
        {
            all.Add(randint(0, 256, [n, .. shape], ScalarType.Byte, generator: generator));
        }
        foreach (var pixels in all)
        {
            batches.Add(pixelInput ? pixels : pixels.to_type(ScalarType.Float32).div_(255f));
            if (!pixelInput)
            {
                pixels.Dispose();
            }
        }
        return batches;
    }
}
