using System.Diagnostics;
using System.Globalization;
using CommandLine;
using Spectre.Console;
using Toolchain.Charts;
using Toolchain.Cli;
using Toolchain.Cli.Output;
using Toolchain.Contracts;
using Toolchain.Data;
using Toolchain.Data.Images;
using Toolchain.Data.Metrics;
using Toolchain.Data.Tables;
using Toolchain.Inference.Cli.Charts;
using Toolchain.Inference.Cli.Evaluation;
using Toolchain.Inference.Cli.Output;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Cli.Commands;

/// <summary>Options shared by eval and eval-all.</summary>
internal abstract class EvalSettings : RuntimeOptions, IDataRootOption
{
    [Option("batch-size", Default = 1000, HelpText = "Images per model call.")]
    public int BatchSize { get; set; }

    /// <inheritdoc />
    public string? DataRoot { get; set; }

    [Option("data-seed", HelpText = "Seed of the xor draw to evaluate (default: the trainer's test draw, the card's data_seed + 1).")]
    public uint? DataSeed { get; set; }
}

[Verb("eval", HelpText = "Evaluate a model on a test split: accuracy, confusion matrix, classification report, speed and charts.")]
internal sealed class EvalOptions : EvalSettings
{
    [Option('m', "model", Required = true, HelpText = "ONNX model file.")]
    public string Model { get; set; } = "";

    [Option("dataset", HelpText = "Dataset name or IDX folder (default: the one in the model card; xor for 2-input binary models).")]
    public string? Dataset { get; set; }

    [Option("out", HelpText = "Folder for report.json and the charts (default: <model folder>/eval).")]
    public string? Out { get; set; }

    [Option("json", HelpText = "Print the report as one JSON object instead of text.")]
    public bool Json { get; set; }
}

/// <summary>Evaluates one model and prints, saves and charts the result.</summary>
internal static class EvalCommand
{
    public const string XorDatasetName = XorDataset.Name;

    private const string ReportName = "report.json";

    public static int Run(EvalOptions o, CliConsole console)
    {
        var result = Evaluate(o.Model, o.Dataset, o.Out, o, console, showProgress: !o.Json);
        if (o.Json)
        {
            console.Out.WriteLine(result.ToJson(indented: false));
        }
        else if (result is RegressionEvalResult regression)
        {
            regression.Print(console.Out);
        }
        else
        {
            Print((EvalResult)result, console);
        }
        // The report is still written and printed, so the disagreement can be examined; the exit code flags it.
        if (result.CardDisagreement() is { } disagreement)
        {
            console.Fail(disagreement);
            return ExitCodes.Failed;
        }
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Evaluates <paramref name="modelPath"/>, writes report.json and the charts, and returns the figures: an
    /// <see cref="EvalResult"/> for a classifier, a <see cref="RegressionEvalResult"/> for a regression.
    /// </summary>
    public static EvalReport Evaluate(string modelPath, string? dataset, string? outDir, EvalSettings s, CliConsole console, bool showProgress)
    {
        if (s.BatchSize < 1)
        {
            throw new ToolchainException($"--batch-size must be at least 1, not {s.BatchSize}");
        }
        var clock = Stopwatch.StartNew();
        using var model = ModelLoader.Load(modelPath, s.Provider, s.Threads, console, verify: !s.NoVerify);
        var info = model.Info;
        var name = dataset ?? DefaultDataset(info)
            ?? throw new ToolchainException($"{modelPath}: the model card names no dataset; pass --dataset");
        var dir = outDir ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, "eval");
        // Removed again if the evaluation fails before its report is written.
        using var created = OutputFolder.Create(dir, outDir is null ? $"the eval folder {dir}" : $"--out {outDir}");
        if (name == XorDatasetName)
        {
            return EvaluateXor(model, modelPath, s, dir, clock);
        }
        if (model.ValueCount > 0)
        {
            return RegressionEvaluation.Run(model, modelPath, name, dir, clock);
        }
        return info.Card is { FeatureNames.Count: > 0 }
            ? EvaluateTable(model, modelPath, name, s, dir, clock)
            : EvaluateImages(model, modelPath, name, s, dir, clock, console, showProgress);
    }

    /// <summary>The card's dataset, or xor for a binary model taking two features.</summary>
    private static string? DefaultDataset(ModelInfo info)
    {
        if (info.Task == ModelTask.Binary && info.InputShape.Count == 2 && info.FeatureCount == 2)
        {
            return XorDatasetName;
        }
        return !info.IsForeign && info.Card.DatasetName is { Length: > 0 } n ? n : null;
    }

    private static EvalResult EvaluateImages(OnnxModel model, string modelPath, string datasetName, EvalSettings s, string dir, Stopwatch clock, CliConsole console, bool showProgress)
    {
        var info = model.Info;
        if (info.InputShape.Count != 4)
        {
            throw new ToolchainException($"{modelPath}: the model takes feature vectors; '{datasetName}' is an image dataset");
        }
        var data = ImageFolderDataset.IsImageFolder(datasetName)
            ? LoadImageFolder(info, datasetName, console)
            : DatasetResolver.Load(datasetName, IDataRootOption.FolderOf(s), console.Notice);
        var test = data.Test;
        if (test.Count == 0)
        {
            throw new ToolchainException($"{data.Name}: the test split is empty");
        }
        if (info.FeatureCount != test.ImageSize)
        {
            throw new ToolchainException(
                $"{modelPath}: the model takes {string.Join('×', info.InputShape.Skip(1))} inputs but {data.Name}'s images are {test.Rows}×{test.Cols}");
        }
        var classCount = info.Labels.Count;
        var actual = new int[test.Count];
        for (var i = 0; i < test.Count; i++)
        {
            actual[i] = test.Labels[i];
            if (actual[i] >= classCount)
            {
                throw new ToolchainException($"{data.Name}: test label {actual[i]} is outside the model's {classCount} classes");
            }
        }

        ImageSetPredictions predictions;
        if (showProgress && console.IsTerminal)
        {
            predictions = null!;
            console.Rich.Progress().AutoClear(true).Start(ctx =>
            {
                var task = ctx.AddTask("evaluating", maxValue: test.Count);
                predictions = ImageSetEvaluator.Run(model, test, s.BatchSize, n => task.Increment(n));
            });
        }
        else
        {
            predictions = ImageSetEvaluator.Run(model, test, s.BatchSize);
        }

        var confusion = ConfusionMatrix.From(actual, predictions.Predicted, classCount);
        var report = ClassificationReport.From(confusion, info.Labels);
        var card = info.IsForeign ? null : info.Card;
        var comparable = card is not null && SameDataset(card.DatasetName, datasetName, data.Name) && card.TestCount == test.Count;

        var modelName = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(modelPath))) ?? modelPath;
        using var files = new StagedFileSet(dir);
        ConfusionChart.Save(files.StagingPath("confusion.png"), confusion, info.Labels,
            $"{modelName} on {data.Name}: accuracy {confusion.Accuracy.ToString("P2", CultureInfo.InvariantCulture)}");
        SamplesChart.Save(files.StagingPath("samples.png"), OnePerClass(test, actual, predictions.Predicted, classCount), info.Labels,
            $"{modelName}: one test image per class");

        var result = new EvalResult
        {
            ModelPath = modelPath,
            Dataset = data.Name,
            Provider = model.ActiveProvider,
            BatchSize = s.BatchSize,
            Labels = info.Labels,
            Confusion = confusion,
            Report = report,
            InferenceSeconds = predictions.InferenceSeconds,
            TotalSeconds = clock.Elapsed.TotalSeconds,
            CardAccuracy = card?.TestAccuracy,
            CardComparable = comparable,
            OutputDirectory = dir,
            Charts = [files.FinalPath("confusion.png"), files.FinalPath("samples.png")],
        };
        Commit(files, result);
        return result;
    }

    /// <summary>
    /// Evaluates a model trained on a CSV table: on the given file (every row), the test.csv of a given folder, or,
    /// for the card's own single file, the test rows of the card's recorded split.
    /// </summary>
    private static EvalResult EvaluateTable(OnnxModel model, string modelPath, string datasetName, EvalSettings s, string dir, Stopwatch clock)
    {
        var info = model.Info;
        var card = info.Card!;
        var full = Path.GetFullPath(datasetName);
        var ownSplit = full == card.DatasetName && File.Exists(full) && card.TestFraction is not null;
        TableSplit test;
        string shown;
        if (ownSplit && card.TestFraction is { } fraction)
        {
            var seed = card.SplitSeed ?? 0;
            var loaded = TableDataset.Load(full, card.LabelColumn, fraction, seed, ignoreColumns: card.IgnoredColumns);
            test = Remap(loaded.Test, loaded.ClassNames, info.Labels, full);
            shown = $"{full} (test split {fraction.ToString("0.###", CultureInfo.InvariantCulture)}, seed {seed})";
        }
        else
        {
            var file = Directory.Exists(full) ? Path.Combine(full, TableDataset.TestFile) : full;
            using var table = CsvTable.Open(file);
            var features = card.FeatureNames.ToHashSet(StringComparer.Ordinal);
            var label = card.LabelColumn ?? table.Header.FirstOrDefault(h => !features.Contains(h))
                ?? throw new ToolchainException($"{file}: has no column besides the model's features to hold the label");
            test = TableDataset.Rows(table, card.FeatureNames, label, info.Labels);
            shown = file;
        }
        var width = card.FeatureNames.Count;
        var t0 = Stopwatch.GetTimestamp();
        var predictions = model.Classify(test.Features.Select(v => (float)v).ToArray(), test.Count);
        var inferenceSeconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        var confusion = ConfusionMatrix.From(test.Labels, predictions.Select(p => p.Label).ToArray(), info.Labels.Count);
        var modelName = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(modelPath))) ?? modelPath;
        using var files = new StagedFileSet(dir);
        ConfusionChart.Save(files.StagingPath("confusion.png"), confusion, info.Labels,
            $"{modelName} on {Path.GetFileName(shown)}: accuracy {confusion.Accuracy.ToString("P2", CultureInfo.InvariantCulture)}");
        var result = new EvalResult
        {
            ModelPath = modelPath,
            Dataset = shown,
            Provider = model.ActiveProvider,
            BatchSize = test.Count,
            Labels = info.Labels,
            Confusion = confusion,
            Report = ClassificationReport.From(confusion, info.Labels),
            InferenceSeconds = inferenceSeconds,
            TotalSeconds = clock.Elapsed.TotalSeconds,
            CardAccuracy = card.TestAccuracy,
            // The card's accuracy is on its own test rows: the recorded split, or the test.csv of the folder it trained on.
            CardComparable = card.TestCount == test.Count && (ownSplit || Path.GetDirectoryName(shown) == card.DatasetName),
            OutputDirectory = dir,
            Charts = [files.FinalPath("confusion.png")],
        };
        Commit(files, result);
        return result;
    }

    /// <summary>A split's class ids (in <paramref name="from"/>'s order) as the model's (<paramref name="to"/>).</summary>
    private static TableSplit Remap(TableSplit split, IReadOnlyList<string> from, IReadOnlyList<string> to, string source)
    {
        var ids = to.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        var map = from.Select(name => ids.GetValueOrDefault(name, -1)).ToArray();
        if (map.Any(i => i < 0))
        {
            throw new ToolchainException($"{source}: holds classes the model does not know ({string.Join(", ", from.Where(n => !to.Contains(n)))})");
        }
        return split with { Labels = split.Labels.Select(c => map[c]).ToArray() };
    }

    /// <summary>
    /// An image folder decoded as the model's card says it was trained: its channels and size, and, for the folder it
    /// was trained on, its recorded split (test_fraction, split_seed), so the test images are the trainer's.
    /// </summary>
    internal static LoadedDataset LoadImageFolder(ModelInfo info, string datasetName, CliConsole console)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(datasetName));
        var own = info.Card?.DatasetName == full ? info.Card : null;
        var options = new ImageFolderOptions
        {
            Channels = (int)info.InputShape[1],
            ImageSize = $"{info.InputShape[2]}x{info.InputShape[3]}",
            TestFraction = own?.TestFraction,
            SplitSeed = own?.TestFraction is null ? 0 : own.SplitSeed ?? 0,
        };
        return ImageFolderDataset.Load(full, options, console.Notice).Dataset;
    }

    /// <summary>Whether the card's dataset is the one evaluated; the trainer records a folder by its full path.</summary>
    private static bool SameDataset(string cardName, string requested, string resolved)
    {
        if (cardName.Length == 0)
        {
            return false;
        }
        if (cardName == requested || cardName == resolved)
        {
            return true;
        }
        return Directory.Exists(requested) && Path.IsPathFullyQualified(cardName)
            && Path.TrimEndingDirectorySeparator(Path.GetFullPath(requested)) == Path.TrimEndingDirectorySeparator(cardName);
    }

    /// <summary>The first test image of every class that has one, in class order.</summary>
    private static List<LabelledImage> OnePerClass(ImageSet test, int[] actual, int[] predicted, int classCount)
    {
        var samples = new List<LabelledImage>();
        for (var c = 0; c < classCount; c++)
        {
            var i = Array.IndexOf(actual, c);
            if (i >= 0)
            {
                samples.Add(new LabelledImage(test.Image(i).ToArray(), test.Rows, test.Cols, c, predicted[i]) { Channels = test.Channels });
            }
        }
        return samples;
    }

    private static EvalResult EvaluateXor(OnnxModel model, string modelPath, EvalSettings s, string dir, Stopwatch clock)
    {
        var info = model.Info;
        if (info.FeatureCount != 2 || info.Labels.Count != 2)
        {
            throw new ToolchainException($"{modelPath}: the xor dataset needs a binary model with 2 inputs");
        }
        // The trainer fits the draw with data_seed and reports accuracy on the next seed's draw; evaluate that one.
        var testSeed = unchecked((CardDataSeed(info) ?? 0) + 1);
        var seed = s.DataSeed ?? testSeed;
        var (features, labels) = XorDataset.Generate(seed);
        var n = labels.Length;
        var t0 = Stopwatch.GetTimestamp();
        var predictions = XorPredictions(model, features, n);
        var inferenceSeconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;

        var actual = labels.Select(l => (int)l).ToArray();
        // The library's label is class 1 only when p > 0.5, which is how the trainer counts accuracy.
        var predicted = predictions.Select(p => p.Label).ToArray();
        var probabilities = predictions.Select(p => (double)p.Probabilities[^1]).ToArray();
        var mse = probabilities.Zip(labels, (p, y) => (p - y) * (p - y)).Average();
        var confusion = ConfusionMatrix.From(actual, predicted, 2);
        var card = info.IsForeign ? null : info.Card;
        var modelName = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(modelPath))) ?? modelPath;
        using var files = new StagedFileSet(dir);
        DecisionBoundaryChart.Save(files.StagingPath("decision-boundary.png"), points => XorPredictions(model, points, points.Length / 2).Select(p => (double)p.Probabilities[^1]).ToArray(), features, labels,
            $"{modelName} (ONNX): accuracy {confusion.Accuracy.ToString("P1", CultureInfo.InvariantCulture)}, MSE {mse.ToString("0.0000", CultureInfo.InvariantCulture)}");
        var result = new EvalResult
        {
            ModelPath = modelPath,
            Dataset = $"{XorDatasetName} (seed {seed})",
            Provider = model.ActiveProvider,
            BatchSize = n,
            Labels = info.Labels,
            Confusion = confusion,
            Report = ClassificationReport.From(confusion, info.Labels),
            InferenceSeconds = inferenceSeconds,
            TotalSeconds = clock.Elapsed.TotalSeconds,
            MeanSquaredError = mse,
            CardAccuracy = card?.TestAccuracy,
            CardComparable = card is not null && card.DatasetName == XorDatasetName && seed == testSeed && (card.TestCount == 0 || card.TestCount == n),
            OutputDirectory = dir,
            Charts = [files.FinalPath("decision-boundary.png")],
        };
        Commit(files, result);
        return result;
    }

    /// <summary>
    /// Writes report.json beside the staged charts and moves the set into the eval folder, report last: a run that
    /// fails before this point leaves the previous run's files untouched.
    /// </summary>
    public static void Commit(StagedFileSet files, EvalReport result)
    {
        AtomicFile.WriteAllText(files.StagingPath(ReportName), ToJson(result, indented: true) + "\n");
        files.Commit(last: ReportName);
    }

    public static string ToJson(EvalReport result, bool indented) => result.ToJson(indented);

    /// <summary>The ONNX model's predictions for <paramref name="n"/> two-feature points.</summary>
    private static Prediction[] XorPredictions(OnnxModel model, double[] features, int n) =>
        model.Classify(features.Select(v => (float)v).ToArray(), n);

    private static uint? CardDataSeed(ModelInfo info)
    {
        if (info.IsForeign)
        {
            return null;
        }
        return info.Card.DataSeed;
    }

    private static void Print(EvalResult r, CliConsole console)
    {
        var c = CultureInfo.InvariantCulture;
        var o = console.Out;
        o.WriteLine($"model     {r.ModelPath} ({EnumText.Of(r.Provider)}, batch {r.BatchSize})");
        o.WriteLine($"dataset   {r.Dataset}: {r.Count} test examples");
        o.WriteLine($"accuracy  {r.Accuracy.ToString("0.0000", c)} ({r.Confusion.Correct}/{r.Count}); {r.CardComparison()}");
        if (r.MeanSquaredError is { } mse)
        {
            o.WriteLine($"mse       {mse.ToString("0.000000", c)}");
        }
        o.WriteLine();
        var table = new TextTable("confusion matrix (rows: true class, columns: predicted)",
            [@"true\pred", .. r.Labels]).AlignRightFrom(1);
        for (var t = 0; t < r.Labels.Count; t++)
        {
            table.AddRow([r.Labels[t], .. Enumerable.Range(0, r.Labels.Count).Select(p => r.Confusion[t, p].ToString(c))]);
        }
        console.Write(table);
        o.WriteLine();
        o.Write(r.Report.ToText());
        o.WriteLine();
        o.WriteLine($"speed     {r.Count} examples in {r.InferenceSeconds.ToString("0.000", c)} s of inference: " +
            $"{r.ImagesPerSecond.ToString("N0", c)} examples/s; total {r.TotalSeconds.ToString("0.00", c)} s");
        var written = string.Join(", ", r.Charts.Select(Path.GetFileName).Prepend("report.json"));
        o.WriteLine($"wrote     {written} in {r.OutputDirectory}");
    }
}
