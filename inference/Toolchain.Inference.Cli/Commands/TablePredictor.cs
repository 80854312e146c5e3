using System.Globalization;
using Toolchain.Inference.Cli.Output;
using Toolchain.Inference.Runtime;
using Toolchain.Shared.Cli;
using Toolchain.Shared.Data.Tables;

namespace Toolchain.Inference.Cli.Commands;

/// <summary>A predicted table row: the winning class and every class's probability, in class order.</summary>
/// <remarks>Serialised through CliJsonContext, like the other line records.</remarks>
internal sealed record PredictedRowJson(int Line, int Class, string Label, IReadOnlyDictionary<string, double> Probabilities);

/// <summary>
/// <c>infer predict</c> for models whose card names their features (trained on CSV tables): the file's header is
/// matched to the card's feature names in any order (other columns, such as the label, are ignored), every row is
/// classified on its raw values (the graph standardises them), and the label and probabilities are printed as a
/// table or as one JSON object per row. A header lacking a feature is one error for the file; a bad row is one
/// line naming it and its column, and the others are still predicted.
/// </summary>
internal static class TablePredictor
{
    public static int Run(OnnxModel model, CsvTable table, bool json, CliConsole console)
    {
        var info = model.Info;
        var features = info.Card!.FeatureNames;
        var columns = TableDataset.ColumnsOf(table, features);
        if (table.Rows.Count == 0)
        {
            throw new Contracts.InvalidInputFileException(table.Source, "has a header but no rows");
        }
        var bad = new BadRowReport(console, table.Source, print: !json);
        var lines = new List<int>();
        var values = new List<float>();
        foreach (var (line, fields) in table.Rows)
        {
            try
            {
                TableDataset.RequireWidth(table, line, fields);
                var row = columns.Select(c => (float)TableDataset.Cell(table, line, fields, c)).ToArray();
                values.AddRange(row);
                lines.Add(line);
            }
            catch (Contracts.InvalidInputFileException e)
            {
                var problem = e.Problem.StartsWith($"line {line}", StringComparison.Ordinal) ? e.Problem[$"line {line}".Length..].TrimStart(',', ':', ' ') : e.Problem;
                if (json)
                {
                    console.Out.WriteLine(JsonLine.Of(new InputErrorJson(null, line, problem)));
                }
                bad.Add(line, problem);
            }
        }
        var predictions = lines.Count == 0 ? [] : model.Classify(values.ToArray(), lines.Count);
        var labels = info.Labels;
        var text = json ? null : new TextTable(null, ["line", "label", .. labels.Select(l => $"p({l})")]).AlignRightFrom(2);
        for (int i = 0; i < predictions.Length; i++)
        {
            var p = predictions[i];
            if (json)
            {
                var probabilities = labels.Select((l, k) => (l, k)).ToDictionary(x => x.l, x => Math.Round((double)p.Probabilities[x.k], 6));
                console.Out.WriteLine(JsonLine.Of(new PredictedRowJson(lines[i], p.Label, p.LabelName, probabilities)));
            }
            else
            {
                text!.AddRow([lines[i].ToString(CultureInfo.InvariantCulture), p.LabelName,
                    .. p.Probabilities.Select(v => v.ToString("0.0000", CultureInfo.InvariantCulture))]);
            }
        }
        if (text is not null && predictions.Length > 0)
        {
            console.Write(text);
        }
        bad.Finish();
        return bad.Count == 0 ? ExitCodes.Ok : ExitCodes.PartlyFailed;
    }
}
