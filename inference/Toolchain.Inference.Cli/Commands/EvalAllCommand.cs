using System.Globalization;
using CommandLine;
using Toolchain.Cli;
using Toolchain.Contracts;
using Toolchain.Inference.Cli.Evaluation;
using Toolchain.Inference.Cli.Output;

namespace Toolchain.Inference.Cli.Commands;

[Verb("eval-all", HelpText = "Evaluate every <artifacts>/*/model.onnx on its own test data and print one summary table.")]
internal sealed class EvalAllOptions : EvalSettings
{
    [Option("artifacts", Default = "artifacts", HelpText = "Folder whose subfolders hold model.onnx files.")]
    public string Artifacts { get; set; } = "artifacts";
}

/// <summary>Evaluates all trained models (each into its own eval/ folder) and summarises them in one table.</summary>
internal static class EvalAllCommand
{
    public static int Run(EvalAllOptions o, CliConsole console)
    {
        if (!Directory.Exists(o.Artifacts))
        {
            throw new InvalidInputFileException(o.Artifacts, "no such folder");
        }
        var models = Directory.EnumerateDirectories(o.Artifacts)
            .Select(d => Path.Combine(d, "model.onnx"))
            .Where(File.Exists)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (models.Count == 0)
        {
            throw new ToolchainException($"{o.Artifacts}: no */model.onnx found; train some models first");
        }
        var c = CultureInfo.InvariantCulture;
        var table = new TextTable($"evaluation of {models.Count} model(s) under {o.Artifacts}",
            "model", "dataset", "examples", "accuracy", "card", "apart", "mse", "images/s", "status").AlignRightFrom(2);
        var failed = 0;
        foreach (var path in models)
        {
            var name = Path.GetFileName(Path.GetDirectoryName(path))!;
            try
            {
                var outcome = EvalCommand.Evaluate(path, dataset: null, outDir: null, o, console, showProgress: false);
                if (outcome is RegressionEvalResult v)
                {
                    // A regression's row: R² where a classifier's accuracy goes, RMSE where binary models' MSE goes.
                    table.AddRow(name, v.Dataset, v.Count.ToString(c), $"R² {v.Report.MeanR2.ToString("0.0000", c)}",
                        v.CardR2?.ToString("0.0000", c) ?? "n/a", "", $"RMSE {v.Report.MeanRmse.ToString("G4", c)}",
                        v.RowsPerSecond.ToString("N0", c), v.CardDisagreement() is null ? "ok" : "differs from card");
                    if (v.CardDisagreement() is { } differs)
                    {
                        failed++;
                        console.Fail(differs);
                    }
                    continue;
                }
                var r = (EvalResult)outcome;
                table.AddRow(name, r.Dataset, r.Count.ToString(c), r.Accuracy.ToString("0.0000", c),
                    r.CardAccuracy?.ToString("0.0000", c) ?? "n/a",
                    r.PredictionsFromCard?.ToString(c) ?? "n/a",
                    r.MeanSquaredError?.ToString("0.000000", c) ?? "",
                    r.ImagesPerSecond.ToString("N0", c),
                    r.PredictionsFromCard > 1 ? "differs from card" : "ok");
                if (r.CardDisagreement() is { } disagreement)
                {
                    failed++;
                    console.Fail(disagreement);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failed++;
                console.Fail(e.Message.StartsWith(path, StringComparison.Ordinal) ? e.Message : $"{path}: {e.Message}");
                table.AddRow(name, "", "", "", "", "", "", "", "failed");
            }
        }
        console.Write(table);
        return failed == 0 ? ExitCodes.Ok : ExitCodes.PartlyFailed;
    }
}
