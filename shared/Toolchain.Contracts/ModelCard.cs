using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Toolchain.Contracts;

/// <summary>
/// What a model says about itself: task, labels, input contract, preprocessing, provenance and metrics.
/// It is stored in the ONNX file's <c>metadata_props</c> under <see cref="ModelCardKeys"/>.
/// </summary>
public sealed record ModelCard
{
    /// <summary>What the model predicts.</summary>
    public required ModelTask Task { get; init; }
    /// <summary>Class names, index = class id; empty for a regression model.</summary>
    public required IReadOnlyList<string> Labels { get; init; }
    /// <summary>Graph input name.</summary>
    public string InputName { get; init; } = "input";
    /// <summary>Images or feature vectors.</summary>
    public required InputLayout InputLayout { get; init; }
    /// <summary>Input shape with -1 for the batch axis.</summary>
    public required IReadOnlyList<long> InputShape { get; init; }
    /// <summary>The input tensor's element type.</summary>
    public required ElementType ElementType { get; init; }
    /// <summary>Main output name: "logits" for multiclass, "probability" for binary, "value" for regression.</summary>
    public required string OutputName { get; init; }
    /// <summary>The probabilities output, or null.</summary>
    public string? ProbabilitiesName { get; init; }
    /// <summary>
    /// Pixel convention before normalisation; null for a card that does not say (its key absent or empty, which is how
    /// it is written back).
    /// </summary>
    public PixelConvention? PixelConvention { get; init; } = Contracts.PixelConvention.WhiteOnBlack;
    /// <summary>Normalisation mean applied after scaling.</summary>
    public double Mean { get; init; }
    /// <summary>Normalisation std applied after scaling.</summary>
    public double Std { get; init; } = 1;
    /// <summary>
    /// Per-channel normalisation means (one per input channel), or empty when <see cref="Mean"/> applies to every
    /// channel (single-channel models and cards written before per-channel values).
    /// </summary>
    public IReadOnlyList<double> ChannelMeans { get; init; } = [];
    /// <summary>Per-channel normalisation standard deviations beside <see cref="ChannelMeans"/>, or empty.</summary>
    public IReadOnlyList<double> ChannelStds { get; init; } = [];
    /// <summary>
    /// Whether the graph normalises its own input (tables: a Sub/Div at its head; uint8 images: also the scaling by
    /// 1/255); callers then pass raw values and apply no mean/std of their own. False by default.
    /// </summary>
    public bool NormalizationInGraph { get; init; }
    /// <summary>Input feature names in input order (tabular models), or empty.</summary>
    public IReadOnlyList<string> FeatureNames { get; init; } = [];
    /// <summary>How inputs are prepared before normalisation.</summary>
    public PreprocessingMode PreprocessingMode { get; init; } = PreprocessingMode.None;
    /// <summary>Dataset the model was trained on.</summary>
    public string DatasetName { get; init; } = "";
    /// <summary>Training examples.</summary>
    public int TrainCount { get; init; }
    /// <summary>Test examples.</summary>
    public int TestCount { get; init; }
    /// <summary>Canonical architecture spec.</summary>
    public string Architecture { get; init; } = "";
    /// <summary>Hyperparameters by name, values as text.</summary>
    public IReadOnlyDictionary<string, string> Hyperparameters { get; init; } = new Dictionary<string, string>();

    // How the data was drawn, typed. The values live among the hyperparameters, where cards have always kept them
    // (CardProvenance records them there); these read them back, and FromMetadata refuses a card whose values are not
    // what they say. Left out of JSON answers (the service's /v1/model), which carry the hyperparameters themselves.

    /// <summary>A table's label column (a regression's target columns joined by commas), or null when not recorded.</summary>
    [JsonIgnore]
    public string? LabelColumn => Hyperparameters.TryGetValue(ModelCardKeys.LabelColumn, out var column) ? column : null;

    /// <summary>The table columns the trainer left out of the features, or empty.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> IgnoredColumns =>
        Hyperparameters.TryGetValue(ModelCardKeys.IgnoredColumns, out var columns) ? columns.Split(',') : [];

    /// <summary>
    /// The fraction, between 0 and 1, of a single file or folder that the trainer held out for testing (with
    /// <see cref="SplitSeed"/>), or null when the data came split.
    /// </summary>
    /// <exception cref="FormatException">The recorded value is not such a fraction.</exception>
    [JsonIgnore]
    public double? TestFraction => CardProvenance.Read<double>(Hyperparameters, ModelCardKeys.TestFraction, "a fraction between 0 and 1", CardProvenance.Fraction);

    /// <summary>The seed of the held-out split, or null when not recorded.</summary>
    /// <exception cref="FormatException">The recorded value is not a whole number.</exception>
    [JsonIgnore]
    public int? SplitSeed => CardProvenance.Read<int>(Hyperparameters, ModelCardKeys.SplitSeed, "a whole number", CardProvenance.Int);

    /// <summary>The seed of the xor draw the model was fitted to (its test draw is the next seed's), or null when not recorded.</summary>
    /// <exception cref="FormatException">The recorded value is not a whole number from 0 to 4294967295.</exception>
    [JsonIgnore]
    public uint? DataSeed => CardProvenance.Read<uint>(Hyperparameters, ModelCardKeys.DataSeed, "a whole number from 0 to 4294967295", CardProvenance.UInt);
    /// <summary>Training seed.</summary>
    public long Seed { get; init; }
    /// <summary>Final test accuracy in [0,1], or null when unknown.</summary>
    public double? TestAccuracy { get; init; }
    /// <summary>Final test loss, or null when unknown.</summary>
    public double? TestLoss { get; init; }
    /// <summary>A regression model's target columns in output order (one output value each); empty for classifiers.</summary>
    public IReadOnlyList<string> TargetNames { get; init; } = [];
    /// <summary>
    /// The training targets' means, one per target: the network learnt (target − mean) / std, and the graph's last Mul
    /// and Add turn that back into the target's units, so callers use the output as it is. Empty for classifiers.
    /// </summary>
    public IReadOnlyList<double> TargetMeans { get; init; } = [];
    /// <summary>The training targets' standard deviations beside <see cref="TargetMeans"/>.</summary>
    public IReadOnlyList<double> TargetStds { get; init; } = [];
    /// <summary>Final test R² of a regression model (the average over targets, as scikit-learn's r2_score), or null.</summary>
    public double? TestR2 { get; init; }
    /// <summary>Final test mean absolute error of a regression model in the target's units (averaged over targets), or null.</summary>
    public double? TestMae { get; init; }
    /// <summary>Final test root mean squared error of a regression model in the target's units (averaged over targets), or null.</summary>
    public double? TestRmse { get; init; }
    /// <summary>Whether the model predicts numbers (<see cref="ModelTask.Regression"/>) rather than classes.</summary>
    public bool IsRegression => Task == ModelTask.Regression;
    /// <summary>Max abs difference ORT vs TorchSharp at export, or null before verification.</summary>
    public double? ExportParity { get; init; }
    /// <summary>Toolchain version that wrote the model.</summary>
    public string ToolchainVersion { get; init; } = CurrentVersion;
    /// <summary>
    /// SHA-256 of the graph as exported, or null when the card records none (foreign tools and
    /// exports older than integrity records).
    /// </summary>
    public string? GraphSha256 { get; init; }
    /// <summary>Reference inputs and the outputs ONNX Runtime gave for them at export, or null when not recorded.</summary>
    public ReferenceExamples? Reference { get; init; }

    /// <summary>The pretrained backbone of a transfer-learned model, or null for a model trained from scratch.</summary>
    public BackboneRecord? Backbone { get; init; }

    /// <summary>How this model was quantized from a float32 model, or null for a model that was not.</summary>
    public QuantizationRecord? Quantization { get; init; }

    /// <summary>Whether the card records anything to check the model against (a graph digest or reference outputs).</summary>
    public bool HasIntegrityRecord => GraphSha256 is not null || Reference is not null;

    /// <summary>The version of this toolchain.</summary>
    public static string CurrentVersion =>
        typeof(ModelCard).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>
    /// The mean and std to apply to each of <paramref name="channels"/> channels: the per-channel values when the card
    /// has them, else the scalar ones repeated; zero and one everywhere when the graph normalises its own input.
    /// </summary>
    public (double[] Means, double[] Stds) NormalizationFor(int channels)
    {
        if (NormalizationInGraph)
        {
            return (new double[channels], Enumerable.Repeat(1.0, channels).ToArray());
        }
        return ChannelMeans.Count == channels && ChannelStds.Count == channels
            ? (ChannelMeans.ToArray(), ChannelStds.ToArray())
            : (Enumerable.Repeat(Mean, channels).ToArray(), Enumerable.Repeat(Std, channels).ToArray());
    }

    /// <summary>
    /// The mean and std to apply to each of <paramref name="channels"/> channels of pixels scaled to [0,1], so that the
    /// graph is given what it takes: a uint8 graph that normalises its own input gets the pixels themselves, 0-255
    /// (mean 0, std 1/255); any other model <see cref="NormalizationFor"/>.
    /// </summary>
    public (double[] Means, double[] Stds) PixelNormalizationFor(int channels) =>
        NormalizationInGraph && ElementType == ElementType.UInt8
            ? (new double[channels], Enumerable.Repeat(1.0 / 255, channels).ToArray())
            : NormalizationFor(channels);

    /// <summary>Whether the model takes images (NCHW).</summary>
    public bool IsImageModel => InputLayout == InputLayout.Nchw;

    /// <summary>Serialises the card to metadata key/value pairs.</summary>
    public IReadOnlyDictionary<string, string> ToMetadata()
    {
        var m = new Dictionary<string, string>
        {
            [ModelCardKeys.Task] = EnumText.Of(Task),
            [ModelCardKeys.Labels] = JsonSerializer.Serialize(Labels, CardJsonContext.Default.IReadOnlyListString),
            [ModelCardKeys.InputName] = InputName,
            [ModelCardKeys.InputLayout] = EnumText.Of(InputLayout),
            [ModelCardKeys.InputShape] = JsonSerializer.Serialize(InputShape, CardJsonContext.Default.IReadOnlyListInt64),
            [ModelCardKeys.ElementType] = EnumText.Of(ElementType),
            [ModelCardKeys.OutputName] = OutputName,
            [ModelCardKeys.PixelConvention] = PixelText(),
            [ModelCardKeys.NormalizationMean] = Num(Mean),
            [ModelCardKeys.NormalizationStd] = Num(Std),
            [ModelCardKeys.PreprocessingMode] = EnumText.Of(PreprocessingMode),
            [ModelCardKeys.DatasetName] = DatasetName,
            [ModelCardKeys.DatasetTrainCount] = TrainCount.ToString(CultureInfo.InvariantCulture),
            [ModelCardKeys.DatasetTestCount] = TestCount.ToString(CultureInfo.InvariantCulture),
            [ModelCardKeys.Architecture] = Architecture,
            [ModelCardKeys.Hyperparameters] = JsonSerializer.Serialize(Hyperparameters, CardJsonContext.Default.IReadOnlyDictionaryStringString),
            [ModelCardKeys.Seed] = Seed.ToString(CultureInfo.InvariantCulture),
            [ModelCardKeys.ToolchainVersion] = ToolchainVersion,
        };
        if (ProbabilitiesName is not null)
        {
            m[ModelCardKeys.ProbabilitiesName] = ProbabilitiesName;
        }
        if (ChannelMeans.Count > 0)
        {
            m[ModelCardKeys.ChannelMeans] = JsonSerializer.Serialize(ChannelMeans, CardJsonContext.Default.IReadOnlyListDouble);
            m[ModelCardKeys.ChannelStds] = JsonSerializer.Serialize(ChannelStds, CardJsonContext.Default.IReadOnlyListDouble);
        }
        if (NormalizationInGraph)
        {
            m[ModelCardKeys.NormalizationInGraph] = "true";
        }
        if (FeatureNames.Count > 0)
        {
            m[ModelCardKeys.FeatureNames] = JsonSerializer.Serialize(FeatureNames, CardJsonContext.Default.IReadOnlyListString);
        }
        if (TestAccuracy is { } acc)
        {
            m[ModelCardKeys.TestAccuracy] = Num(acc);
        }
        if (TestLoss is { } loss)
        {
            m[ModelCardKeys.TestLoss] = Num(loss);
        }
        if (TargetNames.Count > 0)
        {
            m[ModelCardKeys.TargetNames] = JsonSerializer.Serialize(TargetNames, CardJsonContext.Default.IReadOnlyListString);
            m[ModelCardKeys.TargetMeans] = JsonSerializer.Serialize(TargetMeans, CardJsonContext.Default.IReadOnlyListDouble);
            m[ModelCardKeys.TargetStds] = JsonSerializer.Serialize(TargetStds, CardJsonContext.Default.IReadOnlyListDouble);
        }
        foreach (var (key, value) in new[] { (ModelCardKeys.TestR2, TestR2), (ModelCardKeys.TestMae, TestMae), (ModelCardKeys.TestRmse, TestRmse) })
        {
            if (value is { } v)
            {
                m[key] = Num(v);
            }
        }
        if (ExportParity is { } parity)
        {
            m[ModelCardKeys.ExportParity] = Num(parity);
        }
        if (GraphSha256 is not null)
        {
            m[ModelCardKeys.GraphSha256] = GraphSha256;
        }
        if (Reference is not null)
        {
            m[ModelCardKeys.Reference] = Reference.ToJson();
        }
        if (Backbone is { } b)
        {
            m[ModelCardKeys.BackboneName] = b.Name;
            m[ModelCardKeys.BackboneSha256] = b.Sha256;
            m[ModelCardKeys.BackboneSource] = b.Source;
            m[ModelCardKeys.BackboneLicence] = b.Licence;
            m[ModelCardKeys.BackboneTuning] = b.Tuning;
            m[ModelCardKeys.BackboneHead] = b.Head;
            m[ModelCardKeys.BackboneResize] = b.Resize;
            if (b.Features.Length > 0)
            {
                m[ModelCardKeys.BackboneFeatures] = b.Features;
            }
        }
        if (Quantization is not null)
        {
            m[ModelCardKeys.Quantization] = Quantization.ToJson();
        }
        return m;
    }

    /// <summary>
    /// Reads a card from metadata. Returns null when the metadata holds none of our keys (a foreign model);
    /// throws <see cref="FormatException"/> naming the key when a card is present but incomplete or malformed.
    /// </summary>
    public static ModelCard? FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.Keys.Any(k => k.StartsWith(ModelCardKeys.Prefix, StringComparison.Ordinal)))
        {
            return null;
        }
        string Req(string key) => metadata.TryGetValue(key, out var v) && v.Length > 0
            ? v
            : throw new FormatException($"model card is missing '{key}'");
        string? Opt(string key) => metadata.TryGetValue(key, out var v) && v.Length > 0 ? v : null;
        T Json<T>(string key, JsonTypeInfo<T> type)
        {
            try
            {
                return JsonSerializer.Deserialize(Req(key), type) ?? throw new FormatException($"model card key '{key}' is null");
            }
            catch (JsonException)
            {
                throw new FormatException($"model card key '{key}' is not valid JSON");
            }
        }
        double ReqNum(string key) => ParseNum(key, Req(key));
        T Enum<T>(string key) where T : struct, System.Enum
        {
            var text = Req(key);
            return EnumText.Parse<T>(text) ?? throw new FormatException($"model card key '{key}' must be {EnumText.Choices<T>()}, not '{text}'");
        }
        double? OptNum(string key) => Opt(key) is { } v ? ParseNum(key, v) : null;

        var card = new ModelCard
        {
            Task = Enum<ModelTask>(ModelCardKeys.Task),
            Labels = Json(ModelCardKeys.Labels, CardJsonContext.Default.StringArray),
            InputName = Opt(ModelCardKeys.InputName) ?? "input",
            InputLayout = Enum<InputLayout>(ModelCardKeys.InputLayout),
            InputShape = Json(ModelCardKeys.InputShape, CardJsonContext.Default.Int64Array),
            ElementType = Enum<ElementType>(ModelCardKeys.ElementType),
            OutputName = Req(ModelCardKeys.OutputName),
            ProbabilitiesName = Opt(ModelCardKeys.ProbabilitiesName),
            PixelConvention = Opt(ModelCardKeys.PixelConvention) is null ? null : Enum<PixelConvention>(ModelCardKeys.PixelConvention),
            Mean = ReqNum(ModelCardKeys.NormalizationMean),
            Std = ReqNum(ModelCardKeys.NormalizationStd),
            ChannelMeans = Opt(ModelCardKeys.ChannelMeans) is null ? [] : Json(ModelCardKeys.ChannelMeans, CardJsonContext.Default.DoubleArray),
            ChannelStds = Opt(ModelCardKeys.ChannelStds) is null ? [] : Json(ModelCardKeys.ChannelStds, CardJsonContext.Default.DoubleArray),
            NormalizationInGraph = Opt(ModelCardKeys.NormalizationInGraph) switch
            {
                null or "false" => false,
                "true" => true,
                var other => throw new FormatException($"model card key '{ModelCardKeys.NormalizationInGraph}' must be true or false, not '{other}'"),
            },
            FeatureNames = Opt(ModelCardKeys.FeatureNames) is null ? [] : Json(ModelCardKeys.FeatureNames, CardJsonContext.Default.StringArray),
            PreprocessingMode = Opt(ModelCardKeys.PreprocessingMode) is null ? PreprocessingMode.None : Enum<PreprocessingMode>(ModelCardKeys.PreprocessingMode),
            DatasetName = Opt(ModelCardKeys.DatasetName) ?? "",
            TrainCount = (int)(OptNum(ModelCardKeys.DatasetTrainCount) ?? 0),
            TestCount = (int)(OptNum(ModelCardKeys.DatasetTestCount) ?? 0),
            Architecture = Opt(ModelCardKeys.Architecture) ?? "",
            Hyperparameters = Opt(ModelCardKeys.Hyperparameters) is null
                ? new Dictionary<string, string>()
                : Json(ModelCardKeys.Hyperparameters, CardJsonContext.Default.DictionaryStringString),
            Seed = (long)(OptNum(ModelCardKeys.Seed) ?? 0),
            TestAccuracy = OptNum(ModelCardKeys.TestAccuracy),
            TestLoss = OptNum(ModelCardKeys.TestLoss),
            TargetNames = Opt(ModelCardKeys.TargetNames) is null ? [] : Json(ModelCardKeys.TargetNames, CardJsonContext.Default.StringArray),
            TargetMeans = Opt(ModelCardKeys.TargetMeans) is null ? [] : Json(ModelCardKeys.TargetMeans, CardJsonContext.Default.DoubleArray),
            TargetStds = Opt(ModelCardKeys.TargetStds) is null ? [] : Json(ModelCardKeys.TargetStds, CardJsonContext.Default.DoubleArray),
            TestR2 = OptNum(ModelCardKeys.TestR2),
            TestMae = OptNum(ModelCardKeys.TestMae),
            TestRmse = OptNum(ModelCardKeys.TestRmse),
            ExportParity = OptNum(ModelCardKeys.ExportParity),
            ToolchainVersion = Opt(ModelCardKeys.ToolchainVersion) ?? "",
            GraphSha256 = Opt(ModelCardKeys.GraphSha256),
            Reference = Opt(ModelCardKeys.Reference) is { } reference ? ParseReference(reference) : null,
            // A backbone is recorded whole or not at all: its name brings the rest along.
            Backbone = Opt(ModelCardKeys.BackboneName) is { } backbone ? new BackboneRecord
            {
                Name = backbone,
                Sha256 = Req(ModelCardKeys.BackboneSha256),
                Source = Req(ModelCardKeys.BackboneSource),
                Licence = Req(ModelCardKeys.BackboneLicence),
                Tuning = Req(ModelCardKeys.BackboneTuning),
                Head = Opt(ModelCardKeys.BackboneHead) ?? "",
                Resize = Opt(ModelCardKeys.BackboneResize) ?? "",
                Features = Opt(ModelCardKeys.BackboneFeatures) ?? "",
            } : null,
            Quantization = Opt(ModelCardKeys.Quantization) is { } quantization ? ParseQuantization(quantization) : null,
        };
        if (!(card.Std > 0) || !double.IsFinite(card.Mean))
        {
            throw new FormatException($"model card normalisation must have a finite mean and a positive std");
        }
        if (card.ChannelMeans.Count != card.ChannelStds.Count
            || card.ChannelMeans.Any(v => !double.IsFinite(v)) || card.ChannelStds.Any(v => !(v > 0) || !double.IsFinite(v)))
        {
            throw new FormatException(
                $"model card keys '{ModelCardKeys.ChannelMeans}' and '{ModelCardKeys.ChannelStds}' must hold as many finite means as positive stds");
        }
        CheckTargets(card);
        _ = (card.TestFraction, card.SplitSeed, card.DataSeed); // recorded provenance that is not what it says fails here, once
        if (card.GraphSha256 is { } digest && !IsSha256Hex(digest))
        {
            throw new FormatException($"model card key '{ModelCardKeys.GraphSha256}' is not 64 lower-case hex digits");
        }
        if (card.Reference is { } r)
        {
            var dims = card.InputShape.Skip(1).ToList();
            var features = dims.Aggregate(1L, (a, b) => a * b);
            // A uint8 graph's outputs are float32, so its reference (pixels and outputs) is recorded as float32.
            var referenceType = card.ElementType == ElementType.UInt8 ? ElementType.Float32 : card.ElementType;
            if (r.ElementType != referenceType || (dims.All(d => d > 0) && r.InputWidth != features))
            {
                throw new FormatException(
                    $"model card key '{ModelCardKeys.Reference}' holds {r.InputWidth} {EnumText.Of(r.ElementType)} values per input, " +
                    $"but the model takes {features} {EnumText.Of(card.ElementType)} values");
            }
        }
        return card;
    }

    /// <summary>
    /// A regression card names its targets, with one finite mean and one positive std each, and no classes; a
    /// classifier's card names no targets. Throws naming the key otherwise.
    /// </summary>
    private static void CheckTargets(ModelCard card)
    {
        if (!card.IsRegression)
        {
            if (card.TargetNames.Count > 0 || card.TargetMeans.Count > 0 || card.TargetStds.Count > 0)
            {
                throw new FormatException($"model card key '{ModelCardKeys.TargetNames}' belongs to regression models, but the task is '{EnumText.Of(card.Task)}'");
            }
            return;
        }
        if (card.TargetNames.Count == 0)
        {
            throw new FormatException($"model card is missing '{ModelCardKeys.TargetNames}' (a regression model names its targets)");
        }
        if (card.TargetMeans.Count != card.TargetNames.Count || card.TargetStds.Count != card.TargetNames.Count
            || card.TargetMeans.Any(v => !double.IsFinite(v)) || card.TargetStds.Any(v => !(v > 0) || !double.IsFinite(v)))
        {
            throw new FormatException(
                $"model card keys '{ModelCardKeys.TargetMeans}' and '{ModelCardKeys.TargetStds}' must hold a finite mean and a positive std for each of the {card.TargetNames.Count} targets");
        }
        if (card.Labels.Count > 0)
        {
            throw new FormatException($"model card key '{ModelCardKeys.Labels}' lists classes, but the model is a regression model");
        }
    }

    /// <summary>A short human summary for the ONNX doc_string.</summary>
    public string Summary() =>
        $"{WhatItPredicts()} | " +
        $"input {InputName} {EnumText.Of(InputLayout)} {string.Join('x', InputShape)} {EnumText.Of(ElementType)} | " +
        $"pixels {PixelText()}, normalised {NormalizationSummary()}, preprocessing {EnumText.Of(PreprocessingMode)} | " +
        $"arch {Architecture}{(Backbone is { } b ? $" (backbone {b.Tuning})" : "")} | dataset {DatasetName} ({TrainCount} train, {TestCount} test) | " +
        $"{TestFigure()} | " +
        $"export parity {(ExportParity is { } p ? p.ToString("E2", CultureInfo.InvariantCulture) : "n/a")} | " +
        (Quantization is { } q ? $"quantized {EnumText.Of(q.Format)} | " : "") + $"toolchain {ToolchainVersion}";

    private string PixelText() => PixelConvention is { } pixels ? EnumText.Of(pixels) : "";

    private string WhatItPredicts() => IsRegression
        ? $"regression model ({TargetNames.Count} target{(TargetNames.Count == 1 ? "" : "s")}: {string.Join(", ", TargetNames.Take(10))}, in their own units)"
        : $"{EnumText.Of(Task)} classifier ({Labels.Count} classes: {string.Join(", ", Labels.Take(10))})";

    private string TestFigure() => IsRegression
        ? $"test R² {(TestR2 is { } r2 ? r2.ToString("0.0000", CultureInfo.InvariantCulture) : "n/a")}, MAE {(TestMae is { } mae ? mae.ToString("G6", CultureInfo.InvariantCulture) : "n/a")}, " +
          $"RMSE {(TestRmse is { } rmse ? rmse.ToString("G6", CultureInfo.InvariantCulture) : "n/a")}"
        : $"test accuracy {(TestAccuracy is { } a ? a.ToString("P2", CultureInfo.InvariantCulture) : "n/a")}";

    private string NormalizationSummary() =>
        NormalizationInGraph ? "inside the graph"
        : ChannelMeans.Count > 0 ? $"per channel (x-[{string.Join(',', ChannelMeans.Select(Num))}])/[{string.Join(',', ChannelStds.Select(Num))}]"
        : $"(x-{Num(Mean)})/{Num(Std)}";

    /// <summary>Whether <paramref name="text"/> has the form of a SHA-256 digest: 64 lower-case hex digits.</summary>
    private static bool IsSha256Hex(string text) =>
        text.Length == 64 && text.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    private static ReferenceExamples ParseReference(string json)
    {
        try
        {
            return ReferenceExamples.Parse(json);
        }
        catch (FormatException e)
        {
            throw new FormatException($"model card key '{ModelCardKeys.Reference}' {e.Message}");
        }
    }

    private static QuantizationRecord ParseQuantization(string json)
    {
        try
        {
            return QuantizationRecord.Parse(json);
        }
        catch (FormatException e)
        {
            throw new FormatException($"model card key '{ModelCardKeys.Quantization}' {e.Message}");
        }
    }

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static double ParseNum(string key, string v) =>
        double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? d
            : throw new FormatException($"model card key '{key}' is not a number: '{v}'");
}
