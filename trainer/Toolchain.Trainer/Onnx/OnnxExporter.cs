using System.Globalization;
using Google.Protobuf;
using Onnx;
using Toolchain.Cli.Output;
using Toolchain.Contracts;
using Toolchain.Inference.Runtime;
using Toolchain.OnnxFiles;
using Toolchain.Trainer.Models;
using Toolchain.Trainer.Models.Layers;
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
public sealed record ExportRequest(Sequential Model, ArchitectureSpec Spec, IReadOnlyList<long> InputShape, ModelCard Card, Tensor VerificationInputs)
{
    /// <summary>
    /// Whether the graph takes raw uint8 pixels and scales and normalises them itself (<c>--input uint8</c>; float32
    /// image models only); the card then says <see cref="ElementType.UInt8"/> and <see cref="ModelCard.NormalizationInGraph"/>.
    /// </summary>
    public bool PixelInput { get; init; }

    /// <summary>
    /// Per-feature mean and std the graph applies to its raw input before the network ((x − mean) / std, a Sub and a
    /// Div at its head), or null when callers normalise. The network and <see cref="VerificationInputs"/> stay in
    /// normalised units; verification feeds ONNX Runtime the raw values x · std + mean.
    /// </summary>
    public (double[] Means, double[] Stds)? InputNormalization { get; init; }

    /// <summary>
    /// A regression's per-target mean and std, undone at the graph's tail (z · std + mean, a Mul and an Add) so the file
    /// outputs the targets in their own units; null for classifiers. The network stays in standardised units;
    /// verification compares the graph with the network's output mapped the same way.
    /// </summary>
    public (double[] Means, double[] Stds)? OutputScaling { get; init; }
}

/// <summary>What an export wrote and how closely ONNX Runtime matched TorchSharp.</summary>
/// <param name="Path">The ONNX file written.</param>
/// <param name="MaxAbsDiff">Largest absolute output difference between ONNX Runtime (CPU) and TorchSharp in eval mode.</param>
/// <param name="VerifiedSamples">How many inputs (real plus random) were compared.</param>
/// <param name="Card">The card as written into the file.</param>
public sealed record ExportResult(string Path, double MaxAbsDiff, int VerifiedSamples, ModelCard Card)
{
    /// <summary>
    /// The tolerance the parity was checked against: 1e-5 for float32, 1e-12 for float64, times the largest |value| of
    /// the output compared when that is above 1.
    /// </summary>
    public double Tolerance { get; init; }

    /// <summary>One line for a run summary, e.g. <c>model.onnx: ONNX Runtime matches TorchSharp within 1.9E-006 on 288 inputs (tolerance 1E-005)</c>.</summary>
    public string Summary =>
        $"{Path}: ONNX Runtime matches TorchSharp within {MaxAbsDiff.ToString("0.0E+0", CultureInfo.InvariantCulture)} " +
        $"on {VerifiedSamples} inputs (tolerance {Tolerance.ToString("0E+0", CultureInfo.InvariantCulture)})";
}

/// <summary>Test seams of the exporter; the public entry point always uses <see cref="Default"/>.</summary>
/// <param name="Tolerance">Overrides the element type's tolerance.</param>
/// <param name="Tamper">Alters the graph after emission and before verification, to prove verification catches a wrong graph.</param>
/// <param name="RandomBatchSizes">Sizes of the random batches verified besides the real inputs.</param>
/// <param name="RandomSeed">Seed of the random inputs.</param>
internal sealed record ExportOptions(double? Tolerance, Action<GraphProto>? Tamper, IReadOnlyList<int> RandomBatchSizes, long RandomSeed)
{
    public static readonly ExportOptions Default = new(null, null, [1, 7, 24], 20_240_917);
}

/// <summary>
/// Exports a TorchSharp network to a self-describing ONNX file (opset 17, IR 8) by walking its architecture spec,
/// then verifies it in ONNX Runtime against TorchSharp. Verification runs on a temporary copy beside the target, so an
/// export whose max abs diff exceeds 1e-5 (float32) or 1e-12 (float64) writes nothing; a verified export is written
/// atomically with the measured figure in its model card, together with an integrity record: the graph's
/// <see cref="Contracts.GraphDigest"/> and a few verified inputs with ONNX Runtime's outputs for them.
/// </summary>
public static class OnnxExporter
{
    /// <summary>ONNX opset the exporter targets.</summary>
    public const int Opset = 17;

    /// <summary>ONNX IR version the exporter writes.</summary>
    public const long IrVersion = 8;

    /// <summary>The producer name written into every exported file.</summary>
    public const string ProducerName = ModelFile.ProducerName;

    /// <summary>Exports and verifies; throws <see cref="Contracts.ToolchainException"/> with one line on failure, leaving no file.</summary>
    public static ExportResult Export(ExportRequest request, string path) => Export(request, path, ExportOptions.Default);

    internal static ExportResult Export(ExportRequest request, string path, ExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var inputShape = request.InputShape.ToArray();
        InputLayout layout = inputShape.Length switch
        {
            3 => InputLayout.Nchw,
            1 => InputLayout.Nc,
            _ => throw new ToolchainException(
                $"export: input shape {ArchitectureSpec.FormatShape(inputShape)} is neither [channels,height,width] nor [features]"),
        };
        var type = ElementTypeOf(request.Model, request.VerificationInputs);
        var layers = request.Spec.Layers;
        var outputs = OnnxOutputs.For(layers, request.Spec.InferShapes(inputShape), inputShape, regression: request.OutputScaling is not null);
        var card = CardFor(request, outputs, layout, inputShape, type);
        if (request.PixelInput && (layout != InputLayout.Nchw || type != OnnxElementType.Float32))
        {
            throw new ToolchainException(
                $"export: --input uint8 is for float32 image models; this one takes {EnumText.Of(type.Contract)} {ArchitectureSpec.FormatShape(inputShape)}");
        }
        // The card's own normalisation, per channel for a colour model (before NormalizationInGraph makes it the identity).
        Pixels? pixels = request.PixelInput ? Pixels.Of(card.NormalizationFor((int)inputShape[0])) : null;
        if (pixels is not null)
        {
            card = card with { ElementType = ElementType.UInt8, NormalizationInGraph = true };
        }

        var modules = request.Model.named_children().Select(c => c.module).ToList();
        RefuseNonFiniteWeights(layers, modules);
        var graph = OnnxGraphEmitter.Emit(layers, modules, inputShape, type, outputs, request.InputNormalization, request.OutputScaling);
        if (pixels is not null)
        {
            PixelInputHead.Prepend(graph, pixels.Means, pixels.Stds);
        }
        options.Tamper?.Invoke(graph);
        var batches = VerificationBatches(request.VerificationInputs, inputShape, type, options, pixels);
        using var scaled = request.OutputScaling is { } scaling ? new OutputScalingNetwork(request.Model, scaling.Means, scaling.Stds, type.TorchType) : null;
        return VerifyAndWrite(graph, card, path, scaled ?? (nn.Module<Tensor, Tensor>)request.Model, batches, type, outputs,
            pixels is not null ? PixelInputs(pixels) : RawInputs(request.InputNormalization, type), options.Tolerance ?? type.Tolerance);
    }

    /// <summary>
    /// The second half of every export, shared with the transfer exporter (Transfer/TransferModelExporter.cs): writes
    /// <paramref name="graph"/> under a temporary name, compares ONNX Runtime on it against <paramref name="network"/>
    /// on <paramref name="batches"/> (disposed here), refuses past <paramref name="tolerance"/> (per unit of the
    /// largest output value) leaving no file, and otherwise writes the file atomically with the measured parity and
    /// the integrity record in its card.
    /// </summary>
    internal static ExportResult VerifyAndWrite(
        GraphProto graph, ModelCard card, string path, nn.Module<Tensor, Tensor> network, List<Tensor> batches, OnnxElementType type,
        OnnxOutputs outputs, Func<Tensor, (Tensor Graph, Tensor Network)>? rawInputs, double tolerance)
    {
        var model = ModelFor(graph, card);
        ExportVerifier.Outcome outcome;
        try
        {
            outcome = VerifyWritten(model, path, network, batches, type, outputs, rawInputs);
        }
        finally
        {
            foreach (var b in batches)
            {
                b.Dispose();
            }
        }
        // A NaN compares equal to nothing: parity on such outputs would pass or fail by accident, so they are refused by name.
        if (outcome.NonFiniteTorch > 0)
        {
            throw new ToolchainException(
                $"export: TorchSharp's own outputs hold NaN or infinity on {outcome.NonFiniteTorch} of {outcome.Samples} verification inputs " +
                $"(unit-scale random values and real test inputs), so parity cannot be judged; {path} was not written");
        }
        if (outcome.NonFiniteOnnx > 0)
        {
            throw new ToolchainException(
                $"export: ONNX Runtime gives NaN or infinity on {outcome.NonFiniteOnnx} of {outcome.Samples} inputs where TorchSharp's outputs are finite; " +
                $"{path} was not written");
        }
        // Float rounding grows with the values rounded: the layers of a net whose logits reach 30 round 30 times as
        // coarsely as those of one whose logits stay below 1, so the tolerance is per unit of the largest value.
        tolerance *= Math.Max(1, outcome.LargestMagnitude);
        if (!(outcome.MaxAbsDiff <= tolerance))
        {
            throw new ToolchainException(
                $"export: ONNX Runtime differs from TorchSharp by {Format(outcome.MaxAbsDiff)} on {outcome.WorstOutput} " +
                $"(values up to {outcome.LargestMagnitude.ToString("0.###", CultureInfo.InvariantCulture)}) over {outcome.Samples} inputs " +
                $"(tolerance {Format(tolerance)}; {EnumText.Of(type.Contract)}); {path} was not written");
        }

        var final = card with
        {
            ExportParity = outcome.MaxAbsDiff,
            GraphSha256 = ModelFile.Digest(graph),
            Reference = outcome.Reference,
        };
        var bytes = ModelFile.Serialize(model, final);
        // Only the card changed since verification; prove it before the bytes replace anything.
        if (!ModelProto.Parser.ParseFrom(bytes).Graph.Equals(graph))
        {
            throw new InvalidOperationException("the graph changed between verification and writing");
        }
        AtomicFile.WriteAllBytes(path, bytes);
        return new ExportResult(Path.GetFullPath(path), outcome.MaxAbsDiff, outcome.Samples, final) { Tolerance = tolerance };
    }

    /// <summary>
    /// A pixel graph is given the uint8 pixels, and TorchSharp the same pixels through the scaling and normalisation
    /// the graph's head applies.
    /// </summary>
    private static Func<Tensor, (Tensor Graph, Tensor Network)> PixelInputs(Pixels pixels) =>
        x => (x.to_type(ScalarType.Byte), PixelInputHead.Normalise(x, pixels.Means, pixels.Stds).contiguous());

    /// <summary>
    /// For a graph that normalises its own input: the map from a normalised verification input to the raw input the
    /// graph is given (x · std + mean, rounded to the element type) and the network's input, that raw input normalised
    /// again in the element type as the graph's Sub and Div do, so both sides see the same values. Null otherwise.
    /// </summary>
    private static Func<Tensor, (Tensor Graph, Tensor Network)>? RawInputs((double[] Means, double[] Stds)? normalization, OnnxElementType type)
    {
        if (normalization is not { } n)
        {
            return null;
        }
        return x =>
        {
            using var mean = tensor(n.Means, [1, n.Means.Length], float64);
            using var std = tensor(n.Stds, [1, n.Stds.Length], float64);
            var raw = x.to(float64).mul(std).add(mean).to_type(type.TorchType).contiguous();
            using var meanT = mean.to_type(type.TorchType);
            using var stdT = std.to_type(type.TorchType);
            return (raw, raw.sub(meanT).div(stdT));
        };
    }

    /// <summary>Writes the verified-to-be model beside <paramref name="path"/> under a temporary name, verifies that file, and removes it.</summary>
    private static ExportVerifier.Outcome VerifyWritten(
        ModelProto model, string path, nn.Module<Tensor, Tensor> network, IReadOnlyList<Tensor> batches, OnnxElementType type, OnnxOutputs outputs,
        Func<Tensor, (Tensor Graph, Tensor Network)>? rawInputs)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        var tmp = TemporaryFileName.For(full, "verify");
        using var tracked = TemporaryPaths.Track(tmp);
        var bytes = model.ToByteArray();
        try
        {
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(tmp, bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(tmp);
            // The temporary name is ours, not the user's: the error names the file they asked for.
            throw new ToolchainException(
                WriteFailure.IsOutOfSpace(e) ? WriteFailure.Describe(e, full, bytes.LongLength) : $"cannot write {full}: {WriteFailure.Reason(e, tmp, full)}", e);
        }
        try
        {
            return ExportVerifier.Verify(tmp, network, batches, type, outputs, rawInputs);
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    /// <summary>
    /// The verification batches: the real inputs, then random ones. For a pixel graph they are uint8 pixels (the real
    /// inputs turned back into the pixels they were normalised from, and random pixels), which the verifier feeds to
    /// ONNX Runtime as they are and to TorchSharp through <see cref="PixelInputHead.Normalise"/>.
    /// </summary>
    private static List<Tensor> VerificationBatches(Tensor real, long[] inputShape, OnnxElementType type, ExportOptions options, Pixels? pixels)
    {
        if (pixels is not null)
        {
            var pixelBatches = VerificationBatches(real, inputShape, type, options, null);
            var converted = new List<Tensor>();
            using var pixelGenerator = new Generator((ulong)options.RandomSeed);
            var realCount = real.shape[0] > 0 ? 1 : 0;
            for (var i = 0; i < pixelBatches.Count; i++)
            {
                converted.Add(i < realCount
                    ? PixelInputHead.Pixels(pixelBatches[i], pixels.Means, pixels.Stds)
                    : randint(0, 256, pixelBatches[i].shape, ScalarType.Byte, generator: pixelGenerator));
                pixelBatches[i].Dispose();
            }
            return converted;
        }
        if (real.dim() != inputShape.Length + 1 || !real.shape.Skip(1).SequenceEqual(inputShape))
        {
            throw new ToolchainException(
                $"export: verification inputs have shape {ArchitectureSpec.FormatShape(real.shape)} but the model takes {ArchitectureSpec.FormatShape([-1, .. inputShape])}");
        }
        var batches = new List<Tensor>();
        if (real.shape[0] > 0)
        {
            batches.Add(real.detach().cpu().to_type(type.TorchType));
        }
        using var generator = new Generator((ulong)options.RandomSeed);
        foreach (var n in options.RandomBatchSizes)
        {
            batches.Add(randn([n, .. inputShape], type.TorchType, generator: generator));
        }
        return batches;
    }

    /// <summary>Weights that hold NaN or infinity are refused before anything is emitted, naming the first such layer.</summary>
    private static void RefuseNonFiniteWeights(IReadOnlyList<LayerSpec> layers, IReadOnlyList<nn.Module> modules)
    {
        for (int i = 0; i < modules.Count; i++)
        {
            foreach (var (name, tensor) in modules[i].named_parameters().Select(p => (p.name, (Tensor)p.parameter))
                .Concat(modules[i].named_buffers().Select(b => (b.name, b.buffer))))
            {
                using var finite = tensor.isfinite().all();
                if (!finite.item<bool>())
                {
                    var layer = i < layers.Count ? $"layer {i + 1} '{layers[i].Token}'" : $"module {i + 1}";
                    throw new ToolchainException(
                        $"export: {layer} has NaN or infinite values in its {name}: training diverged (try a lower --lr) and there is nothing to export");
                }
            }
        }
    }

    private static OnnxElementType ElementTypeOf(Sequential model, Tensor verificationInputs)
    {
        var dtypes = model.parameters().Select(p => p.dtype).Distinct().ToList();
        if (dtypes.Count > 1)
        {
            throw new ToolchainException($"export: the model mixes element types ({string.Join(", ", dtypes)}); convert it to one");
        }
        var dtype = dtypes.Count == 1 ? dtypes[0] : verificationInputs.dtype;
        return OnnxElementType.For(dtype)
            ?? throw new ToolchainException($"export: element type {dtype} is not supported; use float32 or float64");
    }

    private static ModelCard CardFor(ExportRequest request, OnnxOutputs outputs, InputLayout layout, long[] inputShape, OnnxElementType type)
    {
        var card = request.Card;
        if (outputs.Task == ModelTask.Regression)
        {
            if (card.TargetNames.Count != outputs.Width || card.Labels.Count != 0)
            {
                throw new ToolchainException(
                    $"export: the model card names {card.TargetNames.Count} targets and {card.Labels.Count} labels but the regression model has {outputs.Width} outputs");
            }
        }
        else if (card.Labels.Count != (outputs.IsMulticlass ? (int)outputs.Width : 2))
        {
            throw new ToolchainException(
                $"export: the model card has {card.Labels.Count} labels but the {EnumText.Of(outputs.Task)} model needs {(outputs.IsMulticlass ? (int)outputs.Width : 2)}");
        }
        return card with
        {
            Task = outputs.Task,
            InputName = OnnxGraphEmitter.InputName,
            InputLayout = layout,
            InputShape = [-1, .. inputShape],
            ElementType = type.Contract,
            OutputName = outputs.OutputName,
            ProbabilitiesName = outputs.ProbabilitiesName,
            Architecture = request.Spec.Canonical,
            ExportParity = null,
            // A card taken from an earlier export describes that file's graph, not this one.
            GraphSha256 = null,
            Reference = null,
            ToolchainVersion = ModelCard.CurrentVersion,
        };
    }

    internal static ModelProto ModelFor(GraphProto graph, ModelCard card)
    {
        var model = ModelFile.New(graph, IrVersion, Opset);
        ModelFile.SetCard(model, card);
        return model;
    }

    private static string Format(double v) => v.ToString("0.0##E+0", CultureInfo.InvariantCulture);
}

/// <summary>The normalisation a pixel-input graph applies at its head.</summary>
/// <param name="Means">Normalisation mean per channel after scaling to [0,1].</param>
/// <param name="Stds">Normalisation std per channel after scaling to [0,1].</param>
internal sealed record Pixels(IReadOnlyList<double> Means, IReadOnlyList<double> Stds)
{
    /// <summary>From a card's <see cref="ModelCard.NormalizationFor"/>.</summary>
    public static Pixels Of((double[] Means, double[] Stds) normalization) => new(normalization.Means, normalization.Stds);
}
