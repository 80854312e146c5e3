using System.Globalization;
using CommandLine;
using Toolchain.Inference.Cli.Inputs;
using Toolchain.Inference.Cli.Output;
using Toolchain.Inference.Runtime;
using Toolchain.Shared.Errors;

namespace Toolchain.Inference.Cli.Commands;

[Verb("predict", HelpText = "Predict from rows of features (comma or space separated) for vector models such as xor.")]
internal sealed class PredictOptions : ModelOptions
{
    [Value(0, MetaName = "CSV|-", HelpText = "Feature file; '-' or nothing reads standard input.")]
    public string? Input { get; set; }

    [Option("json", HelpText = "Print one JSON object per row.")]
    public bool Json { get; set; }
}

/// <summary>Prints the probability and class for every row of features; bad rows get a one-line error each.</summary>
internal static class PredictCommand
{
    private const int BatchRows = 1024;

    public static int Run(PredictOptions o, CliConsole console)
    {
        var fromStdin = o.Input is null or "-";
        var source = fromStdin ? "<stdin>" : o.Input!;
        if (!fromStdin && !File.Exists(source))
        {
            throw new InvalidInputFileException(source, Directory.Exists(source) ? "is a directory, not a feature file" : "no such file");
        }
        using var model = ModelLoader.Load(o, console);
        var info = model.Info;
        var width = info.FeatureCount;
        using var reader = fromStdin ? null : new StreamReader(source);
        var input = reader ?? console.In;

        var failed = 0;
        var rows = 0;
        var batch = new List<FeatureRow>(BatchRows);
        try
        {
            foreach (var row in FeatureRowReader.Read(input, width))
            {
                rows++;
                if (row.Error is not null)
                {
                    Flush(batch, model, o.Json, console);
                    failed++;
                    var where = $"{source}:{row.Line}";
                    if (o.Json)
                    {
                        console.Out.WriteLine(JsonLine.Of(w =>
                        {
                            w.WriteNumber("line", row.Line);
                            w.WriteString("error", row.Error);
                        }));
                    }
                    else
                    {
                        console.Fail($"{where}: {row.Error}");
                    }
                    continue;
                }
                batch.Add(row);
                if (batch.Count == BatchRows)
                {
                    Flush(batch, model, o.Json, console);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputFileException(source, CliConsole.OneLine(e.Message), e);
        }
        if (rows == 0)
        {
            throw new InvalidInputFileException(source, "has no rows of features");
        }
        Flush(batch, model, o.Json, console);
        return failed == 0 ? InferCli.Ok : InferCli.PartlyFailed;
    }

    private static void Flush(List<FeatureRow> batch, OnnxModel model, bool json, CliConsole console)
    {
        if (batch.Count == 0)
        {
            return;
        }
        var width = model.Info.FeatureCount;
        Prediction[] predictions;
        if (model.Info.ElementType == "float64")
        {
            var values = new double[batch.Count * width];
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Values!.CopyTo(values, i * width);
            }
            predictions = model.Classify(values, batch.Count);
        }
        else
        {
            var values = new float[batch.Count * width];
            for (var i = 0; i < batch.Count; i++)
            {
                for (var j = 0; j < width; j++)
                {
                    values[i * width + j] = (float)batch[i].Values![j];
                }
            }
            predictions = model.Classify(values, batch.Count);
        }
        var binary = model.Info.Task == "binary";
        for (var i = 0; i < batch.Count; i++)
        {
            var p = predictions[i];
            // For a binary model the interesting number is P(class 1); for multiclass, the winner's probability.
            var probability = binary ? p.Probabilities[^1] : p.Confidence;
            if (json)
            {
                var line = batch[i].Line;
                console.Out.WriteLine(JsonLine.Of(w =>
                {
                    w.WriteNumber("line", line);
                    w.WriteNumber("probability", Math.Round(probability, 6));
                    w.WriteNumber("class", p.Label);
                    w.WriteString("name", p.LabelName);
                }));
            }
            else
            {
                var features = string.Join(',', batch[i].Values!.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
                console.Out.WriteLine($"{batch[i].Line}\t{features}\t{probability.ToString("0.000000", CultureInfo.InvariantCulture)}\t{p.LabelName}");
            }
        }
        batch.Clear();
    }
}
