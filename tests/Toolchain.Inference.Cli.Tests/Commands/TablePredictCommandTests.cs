using System.Globalization;
using System.Text.Json;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Cli.Tests.Commands;

/// <summary>
/// <c>infer predict</c> on a table model (the card names its features; the graph standardises them with a Sub/Div at
/// its head): columns matched by header name in any order, raw values in, label and probabilities out.
/// </summary>
public sealed class TablePredictCommandTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private string Model() => TinyOnnxModels.WriteTableClassifier(_files.PathOf("boxes/model.onnx"));

    // Header order differs from the card's (length, width, depth), and a label column the model does not take sits among them.
    private const string Rows = "depth,kind,width,length\n30,a,20,14\n25,b,28,10\n40,c,16,8\n";

    /// <summary>The model's probabilities worked out by hand: softmax of the standardised features, in card order.</summary>
    private static double[] Expected(double length, double width, double depth)
    {
        double[] z = [(length - 10) / 2, (width - 20) / 4, (depth - 30) / 5];
        var e = z.Select(Math.Exp).ToArray();
        return e.Select(v => v / e.Sum()).ToArray();
    }

    [Fact]
    public void Columns_in_another_order_are_matched_by_name_and_printed_as_a_table()
    {
        var csv = _files.Text("rows.csv", Rows);

        var r = CliRun.Infer("predict", "--provider", "cpu", "--model", Model(), csv);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Error);
        var lines = r.OutLines;
        Assert.Equal(["line", "label", "p(small)", "p(medium)", "p(large)"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var rows = lines.Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        Assert.Equal(["2", "3", "4"], rows.Select(f => f[0]));
        Assert.Equal(["small", "medium", "large"], rows.Select(f => f[1]));
        var want = Expected(14, 20, 30);
        Assert.Equal(want.Select(p => p.ToString("0.0000", CultureInfo.InvariantCulture)), rows[0][2..]);
    }

    [Fact]
    public void Json_gives_each_row_its_label_and_probabilities_summing_to_one()
    {
        var csv = _files.Text("rows.csv", Rows.Replace(',', ';'));

        var r = CliRun.Infer("predict", "--provider", "cpu", "--model", Model(), "--json", csv);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Error);
        double[][] inputs = [[14, 20, 30], [10, 28, 25], [8, 16, 40]];
        string[] labels = ["small", "medium", "large"];
        Assert.Equal(3, r.OutLines.Length);
        for (int i = 0; i < 3; i++)
        {
            using var doc = JsonDocument.Parse(r.OutLines[i]);
            var row = doc.RootElement;
            Assert.Equal(i + 2, row.GetProperty("line").GetInt32());
            Assert.Equal(labels[i], row.GetProperty("label").GetString());
            Assert.Equal(i, row.GetProperty("class").GetInt32());
            var probabilities = row.GetProperty("probabilities");
            Assert.Equal(labels, probabilities.EnumerateObject().Select(p => p.Name));
            Assert.Equal(1, probabilities.EnumerateObject().Sum(p => p.Value.GetDouble()), 1e-5);
            var want = Expected(inputs[i][0], inputs[i][1], inputs[i][2]);
            for (int k = 0; k < 3; k++)
            {
                Assert.Equal(want[k], probabilities.GetProperty(labels[k]).GetDouble(), 1e-6);
            }
        }
    }

    [Fact]
    public void A_header_without_one_of_the_cards_features_is_one_line_naming_it_and_exit_1()
    {
        var csv = _files.Text("rows.csv", "length,kind,width\n14,a,20\n");

        var r = CliRun.Infer("predict", "--provider", "cpu", "--model", Model(), csv);

        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Out);
        r.AssertOneErrorLineNaming(csv, "'depth'");
        Assert.DoesNotContain("'length'", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_numeric_cell_is_one_line_naming_its_row_and_column_and_the_other_rows_are_predicted()
    {
        var csv = _files.Text("rows.csv", "depth,kind,width,length\n30,a,20,14\n25,b,wide,10\n40,c,16,8\n");

        var r = CliRun.Infer("predict", "--provider", "cpu", "--model", Model(), csv);

        Assert.Equal(2, r.ExitCode);
        r.AssertOneErrorLineNaming($"{csv}:3:", "'width'", "'wide'");
        Assert.Equal(["2", "4"], r.OutLines.Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]));
    }

    [Fact]
    public void Rows_across_many_batches_are_printed_once_each_in_order_under_one_header_and_bad_rows_keep_their_place_in_json()
    {
        // 3,000 rows: three batches of 1,024 and a part; a bad row inside the second batch.
        var rows = new System.Text.StringBuilder("length,width,depth\n");
        for (int i = 0; i < 3000; i++)
        {
            rows.Append(i == 1500 ? "x,20,30\n" : $"{i % 20},20,30\n");
        }
        var csv = _files.Text("many.csv", rows.ToString());

        var text = CliRun.Infer("predict", "--provider", "cpu", "--model", Model(), csv);
        var json = CliRun.Infer("predict", "--provider", "cpu", "--model", Model(), "--json", csv);

        Assert.Equal((2, 2), (text.ExitCode, json.ExitCode));
        Assert.Equal(3000, text.OutLines.Length); // the header and 2,999 rows
        Assert.Equal("line", text.OutLines[0].Split(' ')[0]);
        Assert.Equal([.. Enumerable.Range(2, 3000).Where(l => l != 1502)], text.OutLines.Skip(1).Select(l => int.Parse(l.Split(' ', 2)[0], CultureInfo.InvariantCulture)));
        text.AssertOneErrorLineNaming($"{csv}:1502:", "'length'", "'x'");
        var lines = json.OutLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([.. Enumerable.Range(2, 3000)], lines.Select(l => l.GetProperty("line").GetInt32()));
        Assert.True(lines[1500].TryGetProperty("error", out _));
    }

    [Fact]
    public void A_line_over_the_limit_ends_the_run_in_one_line_after_the_rows_before_it_are_printed()
    {
        var csv = _files.Text("long.csv", "length,width,depth\n14,20,30\n" + new string('1', (1 << 20) + 10) + "\n10,28,25\n");

        var r = CliRun.Infer("predict", "--provider", "cpu", "--model", Model(), "--json", csv);

        Assert.Equal(1, r.ExitCode);
        Assert.Equal(2, JsonDocument.Parse(Assert.Single(r.OutLines)).RootElement.GetProperty("line").GetInt32());
        Assert.Equal($"infer: {csv}: line 3 is longer than 1 MiB", Assert.Single(r.ErrorLines));
    }

    [Fact]
    public void Invalid_UTF8_in_a_row_past_the_first_kilobyte_is_one_line_naming_the_line_and_byte()
    {
        var head = "length,width,depth\n" + string.Concat(Enumerable.Repeat("14,20,30\n", 200));
        var csv = _files.Bytes("bad.csv", [.. System.Text.Encoding.UTF8.GetBytes(head + "1"), 0xC3, 0x28, .. ",20,30\n"u8]);

        var r = CliRun.Infer("predict", "--provider", "cpu", "--model", Model(), csv);

        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"infer: {csv}: line 202 is not UTF-8 text (byte 0xC3 at column 2)", Assert.Single(r.ErrorLines));
        Assert.Equal(201, r.OutLines.Length);
    }
}
