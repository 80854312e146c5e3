using System.Globalization;
using Onnx;
using Toolchain.Cli.Output;
using Toolchain.Contracts;
using Toolchain.Inference.Quantization.Calibration;
using Toolchain.Inference.Quantization.Dynamic;
using Toolchain.Inference.Quantization.Float16;
using Toolchain.Inference.Quantization.Graph;
using Toolchain.Inference.Quantization.Measuring;
using Toolchain.Inference.Quantization.Qdq;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Quantization;

/// <summary>
/// Quantizes a float32 model of ours and proves the result before writing it: it is evaluated against the float32
/// model on the same test data and refused when it loses more than <see cref="QuantizationOptions.MaxDrop"/> points; both
/// are timed on this machine; the file carries a card saying how it was made and what it cost, with a fresh integrity
/// record, and loads wherever the float32 model does.
/// </summary>
public static class ModelQuantizer
{
    /// <summary>
    /// Quantizes <paramref name="modelPath"/> (described by <paramref name="card"/>) into <paramref name="outputPath"/>.
    /// <paramref name="evaluate"/> measures a model file's accuracy on the test data; it is called for the float32
    /// model and for each variant tried. Throws <see cref="ToolchainException"/> with one line, writing nothing, for a
    /// model that cannot be quantized, an empty calibration set or too large an accuracy drop
    /// (<see cref="AccuracyDropException"/>).
    /// </summary>
    public static QuantizationResult Quantize(string modelPath, ModelCard card, string outputPath, QuantizationOptions options,
        Func<string, ModelEvaluation> evaluate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(evaluate);
        if (!(options.MaxDrop >= 0))
        {
            throw new ToolchainException($"--max-drop must be 0 or more points, not {options.MaxDrop.ToString(CultureInfo.InvariantCulture)}");
        }
        var width = card.InputShape.Skip(1).Aggregate(1L, (a, b) => a * b);
        var format = options.Format;
        var source = FloatModel.Load(modelPath, card);
        var index = new GraphIndex(source.Model.Graph);
        var candidates = format switch
        {
            QuantizationFormat.Int8Qdq => QdqPlan.Candidates(index),
            QuantizationFormat.Int8Dynamic => DynamicWriter.Candidates(index),
            _ => [],
        };
        var operators = index.Graph.Node.Select(n => n.OpType).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (format != QuantizationFormat.Float16 && candidates.Count == 0)
        {
            var what = format == QuantizationFormat.Int8Dynamic ? "Gemm or MatMul" : "Conv, Gemm or MatMul";
            throw new InvalidInputFileException(modelPath,
                $"has nothing to quantize: no {what} with constant float32 weights (its operators: {string.Join(", ", operators)})");
        }
        var variants = Variants(modelPath, index, candidates, options);
        CalibrationData? calibration = null;
        Dictionary<string, ActivationRange> ranges = [];
        if (format == QuantizationFormat.Int8Qdq)
        {
            calibration = options.Calibration
                ?? throw new ToolchainException("static INT8 needs calibration examples (--calibration); or quantize weights only with --dynamic");
            calibration.Require(width);
            options.Progress?.Invoke($"calibrating {Describe(options.Method)} on {calibration.Count} examples of {calibration.Name}");
            ranges = Calibrator.Run(source.Model, CalibrationTensors(index), calibration, options.Method, options.Threads, cancellationToken);
        }
        else if (options.Calibration is { } given)
        {
            given.Require(width);
            calibration = given;
        }
        var examples = ExampleInputs(card, calibration, width);

        var full = Path.GetFullPath(outputPath);
        // A foreign float32 model is evaluated and timed as a copy carrying the card made up for it, as its quantized
        // model will, so that both are read by the same contract.
        var carded = source.IsForeign ? TemporaryFileName.For(full, "float") : null;
        using var trackedFloat = carded is null ? null : TemporaryPaths.Track(carded);
        try
        {
            if (carded is not null)
            {
                File.WriteAllBytes(carded, CardStamp.Serialize(source.Original, card with { GraphSha256 = null, Reference = null }));
            }
            return QuantizeLoaded(carded ?? modelPath, modelPath, card, full, options, evaluate, source, index, candidates, variants, calibration, ranges, examples, cancellationToken);
        }
        finally
        {
            if (carded is not null)
            {
                File.Delete(carded);
            }
        }
    }

    private static QuantizationResult QuantizeLoaded(string floatPath, string modelPath, ModelCard card, string full, QuantizationOptions options,
        Func<string, ModelEvaluation> evaluate, FloatModel source, GraphIndex index, IReadOnlyList<NodeProto> candidates,
        List<IReadOnlyList<string>> variants, CalibrationData? calibration, Dictionary<string, ActivationRange> ranges, float[] examples,
        CancellationToken cancellationToken)
    {
        var format = options.Format;
        options.Progress?.Invoke("evaluating the float32 model");
        var before = evaluate(floatPath);
        var tried = new List<(QuantizationVariant Variant, ModelProto Model, QdqPlan? Plan)>();
        foreach (var excluded in variants)
        {
            var (model, plan) = Build(source.Model, format, excluded, ranges, !options.SignedActivations);
            var provisional = CardFor(card, model, examples, new QuantizationRecord { Format = format }, null);
            var tmp = TemporaryFileName.For(full, "candidate");
            using var tracked = TemporaryPaths.Track(tmp);
            try
            {
                File.WriteAllBytes(tmp, CardStamp.Serialize(model, provisional));
                options.Progress?.Invoke(excluded.Count == 0
                    ? "evaluating the quantized model"
                    : $"evaluating the quantized model with {string.Join(", ", excluded)} kept in float32");
                var evaluation = evaluate(tmp);
                tried.Add((new QuantizationVariant(excluded.Order(StringComparer.Ordinal).ToList(), evaluation.Accuracy), model, plan));
            }
            catch (IOException e)
            {
                throw new ToolchainException(WriteFailure.Describe(e, full, 0, atLeast: true, tmp), e);
            }
            finally
            {
                File.Delete(tmp);
            }
        }
        // The one quantizing most (the first tried) unless another is more accurate by more than one prediction, the
        // difference infer eval calls a match: keeping layers in float32 costs speed, which a coin flip does not repay.
        var margin = 1.5 / Math.Max(1, before.Count);
        var chosen = tried.Skip(1).Where(t => t.Variant.Accuracy > tried[0].Variant.Accuracy + margin)
            .OrderByDescending(t => t.Variant.Accuracy).FirstOrDefault(tried[0]);
        var after = before with { Accuracy = chosen.Variant.Accuracy };
        var drop = (before.Accuracy - after.Accuracy) * 100;
        if (drop > options.MaxDrop)
        {
            var c = CultureInfo.InvariantCulture;
            throw new AccuracyDropException(
                $"{full} not written: the {EnumText.Of(format)} model's accuracy {after.Accuracy.ToString("0.0000", c)} is " +
                $"{drop.ToString("0.00", c)} points below the float32 model's {before.Accuracy.ToString("0.0000", c)} on {before.Dataset} " +
                $"({before.Count} test examples); --max-drop is {options.MaxDrop.ToString("0.0##", c)}" +
                (format == QuantizationFormat.Int8Qdq
                    ? $"; try --method {string.Join(" or ", Enum.GetValues<CalibrationMethod>().Where(m => m != options.Method).Select(EnumText.Of))}, more --samples, or --exclude the sensitive layers"
                    : ""));
        }

        options.Progress?.Invoke("timing both models");
        var cpu = CpuFeatures.Current();
        var (speeds, agreement) = Time(floatPath, chosen.Model, card, examples, options, full, cancellationToken);
        var last = speeds[^1];
        var record = new QuantizationRecord
        {
            Format = format,
            Activations = format == QuantizationFormat.Int8Qdq ? (options.SignedActivations ? "int8" : "uint8") : "",
            Calibration = format == QuantizationFormat.Int8Qdq ? options.Method : null,
            CalibrationSet = calibration is not null && format == QuantizationFormat.Int8Qdq ? calibration.Name : "",
            CalibrationSamples = format == QuantizationFormat.Int8Qdq ? calibration!.Count : 0,
            ExcludedNodes = chosen.Variant.Excluded,
            FloatOperators = chosen.Plan?.FloatOperators ?? FloatOperators(index, format, candidates, chosen.Variant.Excluded),
            SourceGraphSha256 = source.SourceDigest.Length > 0 ? source.SourceDigest : null,
            AccuracyBefore = before.Accuracy,
            AccuracyAfter = after.Accuracy,
            EvaluatedOn = $"{before.Dataset} ({before.Count} test examples)",
            SpeedBatchSize = last.BatchSize,
            ImagesPerSecondBefore = Math.Round(last.Baseline.Median, 1),
            ImagesPerSecondAfter = Math.Round(last.Candidate.Median, 1),
            MeasuredOn = $"{cpu.Describe()}, {(options.Threads == 0 ? "ONNX Runtime's default threads" : $"{options.Threads} threads")}",
        };
        var final = CardFor(card, chosen.Model, examples, record, after);
        var bytes = CardStamp.Serialize(chosen.Model, final);
        AtomicFile.WriteAllBytes(full, bytes);
        return new QuantizationResult
        {
            OutputPath = full,
            Card = final,
            Before = before,
            After = after,
            Variants = tried.Select(t => t.Variant).ToList(),
            QuantizedNodes = chosen.Plan?.Quantized.Select(n => n.Name).ToList()
                ?? candidates.Select(n => n.Name).Where(n => !chosen.Variant.Excluded.Contains(n)).ToList(),
            Speeds = speeds,
            Agreement = agreement,
            Cpu = cpu,
            FloatBytes = new FileInfo(modelPath).Length,
            QuantizedBytes = bytes.LongLength,
        };
    }

    private static string Describe(CalibrationMethod method) => method switch
    {
        CalibrationMethod.MinMax => "min-max",
        CalibrationMethod.Percentile => "percentile (99.999%)",
        _ => "entropy (KL)",
    };

    /// <summary>
    /// The exclusion sets to try: the user's; or none and, when it leaves something quantized, the first Conv with the
    /// last quantizable layer, the layers most often hurt by 8 bits (raw input, and the logits every decision reads).
    /// </summary>
    private static List<IReadOnlyList<string>> Variants(string modelPath, GraphIndex index, IReadOnlyList<NodeProto> candidates, QuantizationOptions options)
    {
        if (options.Exclude is { } given)
        {
            if (options.Format == QuantizationFormat.Float16 && given.Count > 0)
            {
                throw new ToolchainException("--exclude applies to INT8; float16 converts the whole graph");
            }
            var names = index.Graph.Node.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
            if (given.FirstOrDefault(n => !names.Contains(n)) is { } unknown)
            {
                throw new ToolchainException(
                    $"--exclude: {modelPath} has no node '{unknown}'; its quantizable nodes are {string.Join(", ", candidates.Take(12).Select(n => n.Name))}" +
                    (candidates.Count > 12 ? $" and {candidates.Count - 12} more" : ""));
            }
            return [given.Distinct(StringComparer.Ordinal).ToList()];
        }
        var variants = new List<IReadOnlyList<string>> { Array.Empty<string>() };
        if (candidates.Count > 2)
        {
            var edges = new[] { candidates.FirstOrDefault(n => n.OpType == "Conv"), candidates[^1] }.OfType<NodeProto>().Select(n => n.Name)
                .Distinct(StringComparer.Ordinal).ToList();
            variants.Add(edges);
        }
        return variants;
    }

    /// <summary>Every float activation a plan may quantize: inputs and outputs of the quantizable, Add, Relu and pass-through nodes.</summary>
    private static List<string> CalibrationTensors(GraphIndex index) =>
        index.Graph.Node
            .Where(n => QdqPlan.WeightAxis(index, n) is not null || n.OpType is "Add" or "Relu" or "MaxPool" or "Flatten" or "Reshape" or "Transpose" or "Squeeze" or "Unsqueeze")
            .SelectMany(n => n.Input.Take(n.OpType == "Add" ? 2 : 1).Concat(n.Output.Take(1)))
            .Where(index.IsActivation).Distinct(StringComparer.Ordinal).ToList();

    private static (ModelProto Model, QdqPlan? Plan) Build(ModelProto source, QuantizationFormat format, IReadOnlyList<string> excluded,
        IReadOnlyDictionary<string, ActivationRange> ranges, bool unsignedActivations)
    {
        var set = excluded.ToHashSet(StringComparer.Ordinal);
        switch (format)
        {
            case QuantizationFormat.Int8Qdq:
                var plan = QdqPlan.For(new GraphIndex(source.Graph), set, ranges, unsignedActivations);
                return (QdqWriter.Apply(source, plan), plan);
            case QuantizationFormat.Int8Dynamic:
                return (DynamicWriter.Apply(source, set), null);
            default:
                return (Float16Writer.Apply(source), null);
        }
    }

    private static List<string> FloatOperators(GraphIndex index, QuantizationFormat format, IReadOnlyList<NodeProto> candidates, IReadOnlyList<string> excluded) =>
        format == QuantizationFormat.Float16 ? []
        : index.Graph.Node.Where(n => !candidates.Contains(n) && !excluded.Contains(n.Name)).Select(n => n.OpType)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Real inputs to record as references and time on: the calibration examples, else the inputs the float32 card
    /// recorded at export, else seeded random values (pixels 0-255 for a uint8 graph).
    /// </summary>
    private static float[] ExampleInputs(ModelCard card, CalibrationData? calibration, long width)
    {
        if (calibration is not null)
        {
            return calibration.Values;
        }
        if (card.Reference is { } reference && reference.InputWidth == width)
        {
            return reference.Inputs.Select(v => (float)v).ToArray();
        }
        var random = new Random(0);
        return Enumerable.Range(0, (int)(width * ReferenceExamples.MaxCount))
            .Select(_ => card.ElementType == ElementType.UInt8 ? random.Next(256) : (float)((random.NextDouble() * 2) - 1)).ToArray();
    }

    /// <summary>
    /// The quantized model's card: the float32 card with <paramref name="record"/>, a fresh integrity record, no export
    /// parity or loss (they describe the float32 export), and as test accuracy the measured one when it was measured on
    /// the card's own test set (so that <c>infer eval</c> agrees with it), else none.
    /// </summary>
    private static ModelCard CardFor(ModelCard card, ModelProto model, float[] examples, QuantizationRecord record, ModelEvaluation? after)
    {
        var stamped = card with
        {
            Quantization = record,
            ExportParity = null,
            TestLoss = null,
            TestAccuracy = after is { OnCardTestSet: true } ? after.Accuracy : null,
            ToolchainVersion = ModelCard.CurrentVersion,
            GraphSha256 = CardStamp.Digest(model),
        };
        return stamped with { Reference = CardStamp.Reference(model, stamped, examples) };
    }

    private static (IReadOnlyList<BatchComparison> Speeds, Agreement Agreement) Time(string floatPath, ModelProto quantized, ModelCard card, float[] examples,
        QuantizationOptions options, string target, CancellationToken cancellationToken)
    {
        var tmp = TemporaryFileName.For(target, "timing");
        using var tracked = TemporaryPaths.Track(tmp);
        try
        {
            File.WriteAllBytes(tmp, CardStamp.Serialize(quantized, card with { GraphSha256 = null, Reference = null, Quantization = new QuantizationRecord { Format = options.Format } }));
            OnnxModelOptions Cpu() => new() { Provider = ExecutionProvider.Cpu, IntraOpThreads = options.Threads, VerifyIntegrity = false };
            using var baseline = OnnxModel.Load(floatPath, Cpu());
            using var candidate = OnnxModel.Load(tmp, Cpu());
            var speeds = SpeedComparison.Run(baseline, candidate, examples, options.SpeedBatchSizes, options.SpeedRounds, options.SecondsPerRound, cancellationToken);
            return (speeds, Agreement.Of(baseline, candidate, examples));
        }
        finally
        {
            File.Delete(tmp);
        }
    }
}
