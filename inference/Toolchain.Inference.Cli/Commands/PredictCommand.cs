using System.Globalization;
using CommandLine;
using Toolchain.Cli;
using Toolchain.Contracts;
using Toolchain.Data.Tables;
using Toolchain.Data.Text;
using Toolchain.Inference.Cli.Inputs;
using Toolchain.Inference.Cli.Output;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Cli.Commands;

[Verb("predict", HelpText = "Predict from rows of features: a CSV table with a header for models trained on tables (columns matched by name), or comma/space separated rows for vector models such as xor.")]
internal sealed class PredictOptions : ModelOptions
{
    [Value(0, MetaName = "CSV|-", HelpText = "Feature file; '-' or nothing reads standard input.")]
    public string? Input { get; set; }

    [Option("json", HelpText = "Print one JSON object per row.")]
    public bool Json { get; set; }
}

/// <summary>
/// Prints the probability and class for every row of features. Bad rows (and rows the model returns NaN for) get a
/// one-line error each, the first ten of them; a file that is not text at all gets one line for the whole file.
/// </summary>
internal static class PredictCommand
{
    private const int BatchRows = 1024;

    /// <summary>The error of a row whose probabilities are not numbers.</summary>
    public const string NaNProblem = "the model returned NaN";

    public static int Run(PredictOptions o, CliConsole console)
    {
        var fromStdin = o.Input is null or "-";
        var source = fromStdin ? "<stdin>" : o.Input!;
        if (!fromStdin)
        {
            TextFileCheck.Require(source, "feature file");
        }
        using var model = ModelLoader.Load(o, console);
        var info = model.Info;
        if (info.Card is { FeatureNames.Count: > 0 })
        {
            using var table = fromStdin ? CsvTable.Open(console.In, source) : CsvTable.Open(source);
            return TablePredictor.Run(model, table, o.Json, console, fromStdin ? null : new FileInfo(source).Length);
        }
        var width = info.FeatureCount;
        using var input = OpenRows(fromStdin, source, console);

        var bad = new BadRowReport(console, source, print: !o.Json);
        var rows = 0;
        var batch = new List<FeatureRow>(BatchRows);
        try
        {
            foreach (var row in FeatureRowReader.Read(input, width))
            {
                rows++;
                if (row.Error is not null)
                {
                    Flush(batch, model, o.Json, console, bad);
                    ReportBadRow(row.Line, row.Error, o.Json, console, bad);
                    continue;
                }
                batch.Add(row);
                if (batch.Count == BatchRows)
                {
                    Flush(batch, model, o.Json, console, bad);
                }
            }
        }
        catch (InvalidDataException e)
        {
            Flush(batch, model, o.Json, console, bad);
            bad.Finish();
            throw new InvalidInputFileException(source, e.Message, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputFileException(source, CliConsole.OneLine(e.Message), e);
        }
        if (rows == 0)
        {
            throw new InvalidInputFileException(source, "has no rows of features");
        }
        Flush(batch, model, o.Json, console, bad);
        bad.Finish();
        return bad.Count == 0 ? ExitCodes.Ok : ExitCodes.PartlyFailed;
    }

    private static BoundedLineReader OpenRows(bool fromStdin, string source, CliConsole console)
    {
        try
        {
            return fromStdin ? new BoundedLineReader(console.In) : BoundedLineReader.OpenFile(source);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputFileException(source, $"cannot be read: {CliConsole.OneLine(e.Message)}", e);
        }
    }

    private static void ReportBadRow(int line, string problem, bool json, CliConsole console, BadRowReport bad)
    {
        if (json)
        {
            // Machine-readable output keeps one object per row; only the human-facing stderr is capped.
            console.Out.WriteLine(JsonLine.Of(new InputErrorJson(null, line, problem)));
        }
        bad.Add(line, problem);
    }

    private static void Flush(List<FeatureRow> batch, OnnxModel model, bool json, CliConsole console, BadRowReport bad)
    {
        if (batch.Count == 0)
        {
            return;
        }
        var width = model.Info.FeatureCount;
        var values = new float[batch.Count * width];
        for (var i = 0; i < batch.Count; i++)
        {
            for (var j = 0; j < width; j++)
            {
                values[i * width + j] = (float)batch[i].Values![j];
            }
        }
        var predictions = model.Classify(values, batch.Count);
        var binary = model.Info.Task == ModelTask.Binary;
        for (var i = 0; i < batch.Count; i++)
        {
            var p = predictions[i];
            if (p.Probabilities.Any(float.IsNaN))
            {
                ReportBadRow(batch[i].Line, NaNProblem, json, console, bad);
                continue;
            }
            // For a binary model the interesting number is P(class 1); for multiclass, the winner's probability.
            var probability = binary ? p.Probabilities[^1] : p.Confidence;
            if (json)
            {
                console.Out.WriteLine(JsonLine.Of(new PredictedJson(batch[i].Line, Math.Round(probability, 6), p.Label, p.LabelName)));
            }
            else
            {
                var features = string.Join(',', batch[i].Values!.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
                console.Out.WriteLine($"{batch[i].Line}\t{features}\t{probability.ToString("0.000000", CultureInfo.InvariantCulture)}\t{TerminalText.Escape(p.LabelName)}");
            }
        }
        batch.Clear();
    }
}
