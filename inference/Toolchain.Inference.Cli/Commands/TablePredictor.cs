using System.Globalization;
using System.Text;
using Toolchain.Cli;
using Toolchain.Contracts;
using Toolchain.Data.Tables;
using Toolchain.Inference.Cli.Output;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Cli.Commands;

/// <summary>A predicted table row: the winning class and every class's probability, in class order.</summary>
/// <remarks>Serialised through CliJsonContext, like the other line records.</remarks>
internal sealed record PredictedRowJson(int Line, int Class, string Label, IReadOnlyDictionary<string, double> Probabilities);

/// <summary>
/// A regression's predicted table row: <c>row</c> counts data rows from 1 (the header is not one), <c>line</c> is where
/// the row starts in the file (as errors name it); one target gives its <c>value</c>, several give <c>values</c> by target name.
/// </summary>
internal sealed record PredictedValueJson(int Row, int Line, double? Value, IReadOnlyDictionary<string, double>? Values);

/// <summary>
/// <c>infer predict</c> for models whose card names their features (trained on CSV tables): the file's header is
/// matched to the card's feature names in any order (other columns, such as the label, are ignored), every row is
/// classified on its raw values (the graph standardises them), and the label and probabilities are printed as aligned
/// columns or as one JSON object per row; a regression model's rows print their predicted value, one per target. Rows are read, classified and printed a batch at a time, so a file of any
/// length costs one batch of memory. A header lacking a feature is one error for the file; a bad row is one line
/// naming it and its column, and the others are still predicted; a line that is not text ends the run after the rows
/// before it are printed.
/// </summary>
internal static class TablePredictor
{
    private const int BatchRows = 1024;

    /// <summary>
    /// Predicts every row of <paramref name="table"/>; <paramref name="inputLength"/>, the file's size when known,
    /// bounds the line numbers so the line column is wide enough for all of them before they are read.
    /// </summary>
    public static int Run(OnnxModel model, CsvTable table, bool json, CliConsole console, long? inputLength)
    {
        var info = model.Info;
        var columns = TableDataset.ColumnsOf(table, info.Card!.FeatureNames);
        var bad = new BadRowReport(console, table.Source, print: !json);
        var output = new RowOutput(model, json, console.Out, inputLength, bad);
        var batch = new Batch(columns.Length);
        var rows = 0;
        try
        {
            foreach (var (line, fields) in table.Rows())
            {
                rows++;
                if (Parse(table, line, rows, fields, columns, batch) is { } problem)
                {
                    // Printed in order: the rows before it first.
                    output.Write(batch, model);
                    if (json)
                    {
                        console.Out.WriteLine(JsonLine.Of(new InputErrorJson(null, line, problem)));
                    }
                    bad.Add(line, problem);
                }
                else if (batch.Count == BatchRows)
                {
                    output.Write(batch, model);
                }
            }
        }
        catch (InvalidInputFileException)
        {
            output.Write(batch, model);
            bad.Finish();
            throw;
        }
        if (rows == 0)
        {
            throw new InvalidInputFileException(table.Source, "has a header but no rows");
        }
        output.Write(batch, model);
        bad.Finish();
        return bad.Count == 0 ? ExitCodes.Ok : ExitCodes.PartlyFailed;
    }

    /// <summary>Adds the row's features to <paramref name="batch"/>, or returns why it cannot be read (without "line N").</summary>
    private static string? Parse(CsvTable table, int line, int rowNumber, string[] fields, int[] columns, Batch batch)
    {
        try
        {
            TableDataset.RequireWidth(table, line, fields);
            var row = batch.Next(line, rowNumber);
            for (int c = 0; c < columns.Length; c++)
            {
                row[c] = (float)TableDataset.Cell(table, line, fields, columns[c]);
            }
            batch.Count++;
            return null;
        }
        catch (InvalidInputFileException e)
        {
            var prefix = $"line {line}";
            return e.Problem.StartsWith(prefix, StringComparison.Ordinal) ? e.Problem[prefix.Length..].TrimStart(',', ':', ' ') : e.Problem;
        }
    }

    /// <summary>Up to <see cref="BatchRows"/> rows of features and their line numbers, reused from batch to batch.</summary>
    private sealed class Batch(int width)
    {
        public int Width { get; } = width;

        public float[] Values { get; } = new float[BatchRows * width];

        public int[] Lines { get; } = new int[BatchRows];

        /// <summary>Each row's number among the data rows, from 1.</summary>
        public int[] RowNumbers { get; } = new int[BatchRows];

        public int Count { get; set; }

        /// <summary>The slot for the next row (counted only once <see cref="Count"/> is raised).</summary>
        public Span<float> Next(int line, int rowNumber)
        {
            Lines[Count] = line;
            RowNumbers[Count] = rowNumber;
            return Values.AsSpan(Count * Width, Width);
        }
    }

    /// <summary>Prints a batch's predictions with one write: the header line before the first, columns of fixed width.</summary>
    private sealed class RowOutput
    {
        private readonly IReadOnlyList<string> _labels;
        private readonly IReadOnlyList<string> _targets;
        private readonly bool _json;
        private readonly TextWriter _out;
        private readonly BadRowReport _bad;
        private readonly int[] _widths;
        private readonly bool[] _right;
        private bool _headerWritten;

        public RowOutput(OnnxModel model, bool json, TextWriter output, long? inputLength, BadRowReport bad)
        {
            _bad = bad;
            _labels = model.Info.Labels;
            _targets = model.ValueCount > 0 ? model.Info.Card.TargetNames : [];
            _json = json;
            _out = output;
            // A row takes at least two bytes ("1\n"), so the file's size bounds its line numbers.
            var lineDigits = inputLength is { } n ? (n / 2 + 2).ToString(CultureInfo.InvariantCulture).Length : 7;
            if (_targets.Count > 0)
            {
                string[] columns = ["line", .. _targets.Select(TerminalText.Escape)];
                _widths = [Math.Max(columns[0].Length, lineDigits), .. columns.Skip(1).Select(h => Math.Max(h.Length, 12))];
                _right = [false, .. _targets.Select(_ => true)];
                Header = columns;
                return;
            }
            string[] header = ["line", "label", .. _labels.Select(l => $"p({TerminalText.Escape(l)})")];
            _widths = [Math.Max(header[0].Length, lineDigits), Math.Max(header[1].Length, _labels.Max(l => TerminalText.Escape(l).Length)),
                .. header.Skip(2).Select(h => Math.Max(h.Length, "0.0000".Length))];
            _right = [false, false, .. _labels.Select(_ => true)];
            Header = header;
        }

        private string[] Header { get; }

        public void Write(Batch batch, OnnxModel model)
        {
            if (batch.Count == 0)
            {
                return;
            }
            var text = new StringBuilder();
            if (!_json && !_headerWritten)
            {
                text.Append(TextTable.FormatLine(Header, _widths, _right)).Append('\n');
                _headerWritten = true;
            }
            if (_targets.Count > 0)
            {
                WriteValues(batch, model.PredictValues(batch.Values.AsSpan(0, batch.Count * batch.Width), batch.Count), text);
            }
            else
            {
                WriteClasses(batch, model.Classify(batch.Values.AsSpan(0, batch.Count * batch.Width), batch.Count), text);
            }
            _out.Write(text.ToString());
            batch.Count = 0;
        }

        private void WriteClasses(Batch batch, Prediction[] predictions, StringBuilder text)
        {
            for (int i = 0; i < batch.Count; i++)
            {
                var p = predictions[i];
                if (_json)
                {
                    var probabilities = _labels.Select((l, k) => (l, k)).ToDictionary(x => x.l, x => Math.Round((double)p.Probabilities[x.k], 6));
                    text.Append(JsonLine.Of(new PredictedRowJson(batch.Lines[i], p.Label, p.LabelName, probabilities))).Append('\n');
                }
                else
                {
                    string[] cells = [batch.Lines[i].ToString(CultureInfo.InvariantCulture), TerminalText.Escape(p.LabelName),
                        .. p.Probabilities.Select(v => v.ToString("0.0000", CultureInfo.InvariantCulture))];
                    text.Append(TextTable.FormatLine(cells, _widths, _right)).Append('\n');
                }
            }
        }

        /// <summary>
        /// A regression's rows: each value as the float the graph returned, printed in its shortest round-trip form
        /// ("R"), so nothing is rounded away from a number in the user's units.
        /// </summary>
        private void WriteValues(Batch batch, float[] values, StringBuilder text)
        {
            int k = _targets.Count;
            for (int i = 0; i < batch.Count; i++)
            {
                var row = values.AsSpan(i * k, k);
                if (!IsFinite(row))
                {
                    // Features far outside the training range can overflow float32; that row gets an error, not "∞".
                    const string problem = "the model returned a value that is not a finite number";
                    if (_json)
                    {
                        text.Append(JsonLine.Of(new InputErrorJson(null, batch.Lines[i], problem))).Append('\n');
                    }
                    _bad.Add(batch.Lines[i], problem);
                    continue;
                }
                if (_json)
                {
                    // float to double through its shortest text, so 12.3f prints as 12.3 and not 12.300000190734863.
                    var numbers = row.ToArray().Select(v => double.Parse(v.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)).ToArray();
                    var json = k == 1
                        ? new PredictedValueJson(batch.RowNumbers[i], batch.Lines[i], numbers[0], null)
                        : new PredictedValueJson(batch.RowNumbers[i], batch.Lines[i], null, _targets.Select((t, j) => (t, j)).ToDictionary(x => x.t, x => numbers[x.j]));
                    text.Append(JsonLine.Of(json)).Append('\n');
                }
                else
                {
                    string[] cells = [batch.Lines[i].ToString(CultureInfo.InvariantCulture), .. row.ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture))];
                    text.Append(TextTable.FormatLine(cells, _widths, _right)).Append('\n');
                }
            }
        }

        private static bool IsFinite(ReadOnlySpan<float> values)
        {
            foreach (var v in values)
            {
                if (!float.IsFinite(v))
                {
                    return false;
                }
            }
            return true;
        }
    }
}
