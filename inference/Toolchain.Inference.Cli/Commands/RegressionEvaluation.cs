using System.Diagnostics;
using System.Globalization;
using Toolchain.Charts;
using Toolchain.Contracts;
using Toolchain.Data.Metrics;
using Toolchain.Data.Tables;
using Toolchain.Inference.Cli.Evaluation;
using Toolchain.Inference.Cli.Output;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Cli.Commands;

/// <summary>
/// <c>infer eval</c> for a regression model: its targets are read from the table (the card's own file and recorded
/// split, a folder's test.csv, or every row of a given file), predicted by the ONNX graph in the targets' units, and
/// scored as R², MAE and RMSE, with the predicted-vs-actual and residual charts beside report.json.
/// </summary>
internal static class RegressionEvaluation
{
    public static RegressionEvalResult Run(OnnxModel model, string modelPath, string datasetName, string dir, Stopwatch clock)
    {
        var card = model.Info.Card;
        var targets = card.TargetNames;
        var (test, shown, own) = TestRows(card, datasetName);
        var t0 = Stopwatch.GetTimestamp();
        var predicted = model.PredictValues(test.Features.Select(v => (float)v).ToArray(), test.Count);
        var inferenceSeconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        var values = predicted.Select(v => (double)v).ToArray();
        if (Array.FindIndex(values, v => !double.IsFinite(v)) is var bad and >= 0)
        {
            throw new ToolchainException(string.Create(CultureInfo.InvariantCulture,
                $"{modelPath}: the model returned {values[bad]} for test row {(bad / targets.Count) + 1} ({targets[bad % targets.Count]}); its features may be far outside what it was trained on"));
        }
        var report = RegressionReport.From(test.Targets, values, targets.Count);
        var modelName = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(modelPath))) ?? modelPath;
        using var files = new StagedFileSet(dir);
        var charts = RegressionCharts.SaveAll(files.StagingPath, test.Targets, values, targets, $"{modelName} on {Path.GetFileName(shown)}");
        var result = new RegressionEvalResult
        {
            ModelPath = modelPath,
            Dataset = shown,
            Provider = model.ActiveProvider,
            Count = test.Count,
            Targets = targets,
            Report = report,
            InferenceSeconds = inferenceSeconds,
            TotalSeconds = clock.Elapsed.TotalSeconds,
            CardR2 = card.TestR2,
            // The card's R² is on its own test rows: the recorded split, or the test.csv of the folder it trained on.
            CardComparable = card.TestCount == test.Count && (own || Path.GetDirectoryName(shown) == card.DatasetName),
            OutputDirectory = dir,
            Charts = charts.Select(files.FinalPath).ToList(),
        };
        EvalCommand.Commit(files, result);
        return result;
    }

    /// <summary>
    /// The rows to score: for the card's own single file, the test rows of its recorded split; for a folder its
    /// test.csv; otherwise every row of the file. A missing target column or a bad cell is one line naming it.
    /// </summary>
    private static (TableSplit Test, string Shown, bool Own) TestRows(ModelCard card, string datasetName)
    {
        var full = Path.GetFullPath(datasetName);
        if (full == card.DatasetName && File.Exists(full) && card.TestFraction is { } fraction)
        {
            var seed = card.SplitSeed ?? 0;
            var loaded = TableDataset.Load(full, string.Join(',', card.TargetNames), fraction, seed, ignoreColumns: card.IgnoredColumns, task: TableTask.Regression);
            return (loaded.Test, $"{full} (test split {fraction.ToString("0.###", CultureInfo.InvariantCulture)}, seed {seed})", true);
        }
        var file = Directory.Exists(full) ? Path.Combine(full, TableDataset.TestFile) : full;
        using var table = CsvTable.Open(file);
        return (TableDataset.Targets(table, card.FeatureNames, card.TargetNames), file, false);
    }
}
