using System.Globalization;
using System.Text.Json;
using Inference;
using Toolchain.Inference.Cli.Tests.Export.Triton;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Cli.Tests.Commands;

/// <summary>
/// <c>infer predict</c>, <c>eval</c> and <c>export triton</c> on a regression model (a card with task regression and
/// target names, a graph ending in Mul/Add back to the targets' units): values out, worked out by hand
/// (<see cref="TinyOnnxModels.RegressionValues"/>).
/// </summary>
public sealed class RegressionCommandTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    // Header order differs from the card's (length, width, depth); the target columns are ignored by predict.
    private const string Rows = "depth,width,length,price\n30,20,14,0\n25,28,10,0\n40,16,8,0\n";

    private static readonly double[][] Inputs = [[14, 20, 30], [10, 28, 25], [8, 16, 40]];

    private string Model(int targets = 1, double? testR2 = null) =>
        TinyOnnxModels.WriteTableRegression(_files.PathOf($"houses{targets}/model.onnx"), targets, testR2);

    [Fact]
    public void Predict_prints_one_value_per_row_in_the_targets_units()
    {
        var csv = _files.Text("rows.csv", Rows);

        var r = CliRun.Infer("predict", "--provider", "cpu", "--model", Model(), csv);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Error);
        Assert.Equal(["line", "price"], r.OutLines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var rows = r.OutLines.Skip(1).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        Assert.Equal(["2", "3", "4"], rows.Select(f => f[0]));
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(TinyOnnxModels.RegressionValues(Inputs[i][0], Inputs[i][1], Inputs[i][2])[0], double.Parse(rows[i][1], CultureInfo.InvariantCulture), 1e-4);
        }
    }

    [Fact]
    public void Predict_json_gives_row_and_value_and_with_several_targets_values_by_name()
    {
        var csv = _files.Text("rows.csv", Rows);

        var one = CliRun.Infer("predict", "--provider", "cpu", "--model", Model(), "--json", csv);
        var two = CliRun.Infer("predict", "--provider", "cpu", "--model", Model(targets: 2), "--json", csv);

        Assert.Equal((0, 0), (one.ExitCode, two.ExitCode));
        Assert.Equal(3, one.OutLines.Length);
        Assert.Equal(3, two.OutLines.Length);
        for (int i = 0; i < 3; i++)
        {
            var want = TinyOnnxModels.RegressionValues(Inputs[i][0], Inputs[i][1], Inputs[i][2]);
            using var a = JsonDocument.Parse(one.OutLines[i]);
            Assert.Equal(["row", "line", "value"], a.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.Equal(i + 1, a.RootElement.GetProperty("row").GetInt32());
            Assert.Equal(i + 2, a.RootElement.GetProperty("line").GetInt32());
            Assert.Equal(want[0], a.RootElement.GetProperty("value").GetDouble(), 1e-4);
            using var b = JsonDocument.Parse(two.OutLines[i]);
            Assert.Equal(["row", "line", "values"], b.RootElement.EnumerateObject().Select(p => p.Name));
            var values = b.RootElement.GetProperty("values");
            Assert.Equal(["price", "weight"], values.EnumerateObject().Select(p => p.Name));
            Assert.Equal(want[0], values.GetProperty("price").GetDouble(), 1e-4);
            Assert.Equal(want[1], values.GetProperty("weight").GetDouble(), 1e-4);
        }
    }

    [Fact]
    public void Predict_names_a_bad_row_and_its_column_and_still_predicts_the_others()
    {
        var csv = _files.Text("rows.csv", "length,width,depth\n14,20,30\n10,abc,25\n8,16,40\n");

        var r = CliRun.Infer("predict", "--provider", "cpu", "--model", Model(), "--json", csv);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal(3, r.OutLines.Length);
        Assert.Contains("\"value\":120", r.OutLines[0]);
        Assert.Contains("\"line\":3", r.OutLines[1]);
        Assert.Contains("width", r.OutLines[1]);
        Assert.Contains("\"value\":90", r.OutLines[2]);
    }

    [Fact]
    public void Eval_reports_r2_mae_rmse_per_target_and_writes_both_charts_per_target_beside_report_json()
    {
        // Two targets; the actual values differ from the model's by known amounts, so the figures can be worked out.
        var lines = new List<string> { "length,width,depth,price,weight" };
        var actualPrice = new List<double>();
        var predictedPrice = new List<double>();
        for (int i = 0; i < 12; i++)
        {
            double length = 8 + i, width = 16 + i, depth = 40 - i;
            var want = TinyOnnxModels.RegressionValues(length, width, depth);
            double price = want[0] + (i % 2 == 0 ? 3 : -3), weight = want[1];
            actualPrice.Add(price);
            predictedPrice.Add(want[0]);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{length},{width},{depth},{price},{weight}"));
        }
        var csv = _files.Text("test.csv", string.Join('\n', lines) + "\n");
        var outDir = _files.PathOf("eval-out");
        double mean = actualPrice.Average();
        double r2Price = 1 - (actualPrice.Zip(predictedPrice, (a, p) => (a - p) * (a - p)).Sum() / actualPrice.Sum(a => (a - mean) * (a - mean)));

        var r = CliRun.Infer("eval", "--provider", "cpu", "--model", Model(targets: 2, testR2: 0.5), "--dataset", csv, "--out", outDir, "--json");

        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.OutLines.Single());
        var root = doc.RootElement;
        Assert.Equal("regression", root.GetProperty("task").GetString());
        Assert.Equal(12, root.GetProperty("count").GetInt32());
        var targets = root.GetProperty("targets").EnumerateArray().ToArray();
        Assert.Equal(["price", "weight"], targets.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(r2Price, targets[0].GetProperty("r2").GetDouble(), 1e-4);
        Assert.Equal(3, targets[0].GetProperty("mae").GetDouble(), 1e-4);
        Assert.Equal(3, targets[0].GetProperty("rmse").GetDouble(), 1e-4);
        Assert.Equal(1, targets[1].GetProperty("r2").GetDouble(), 1e-4);
        Assert.Equal(0, targets[1].GetProperty("mae").GetDouble(), 1e-4);
        Assert.Equal((r2Price + 1) / 2, root.GetProperty("r2").GetDouble(), 1e-4);
        Assert.Equal(1.5, root.GetProperty("mae").GetDouble(), 1e-4);
        // Measured on another file than the card's: the card's figure is shown, not compared.
        Assert.Equal(0.5, root.GetProperty("card_test_r2").GetDouble());
        Assert.False(root.GetProperty("card_comparable").GetBoolean());
        string[] charts = ["predicted-vs-actual-1-price.png", "residuals-1-price.png", "predicted-vs-actual-2-weight.png", "residuals-2-weight.png"];
        Assert.Equal(charts, root.GetProperty("charts").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(charts.Append("report.json").Order(StringComparer.Ordinal),
            Directory.GetFiles(outDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var chart in charts)
        {
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(outDir, chart))[..4]);
        }
        Assert.Equal(r2Price, JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json"))).RootElement
            .GetProperty("targets")[0].GetProperty("r2").GetDouble(), 1e-4);
    }

    [Fact]
    public void Eval_prints_the_figures_as_text_with_one_chart_pair_for_one_target()
    {
        var csv = _files.Text("test.csv", "length,width,depth,price\n8,0,0,90\n10,0,0,101\n12,0,0,109\n14,0,0,121\n");
        var outDir = _files.PathOf("eval-text");

        var r = CliRun.Infer("eval", "--provider", "cpu", "--model", Model(), "--dataset", csv, "--out", outDir);

        Assert.Equal(0, r.ExitCode);
        // Predicted 90, 100, 110, 120: errors 0, 1, −1, 1.
        Assert.Contains(r.OutLines, l => l.StartsWith("MAE       0.75", StringComparison.Ordinal));
        Assert.Contains(r.OutLines, l => l.StartsWith("RMSE      0.866025", StringComparison.Ordinal));
        Assert.Contains(r.OutLines, l => l.StartsWith("R²        0.99", StringComparison.Ordinal));
        Assert.Equal(["predicted-vs-actual.png", "report.json", "residuals.png"],
            Directory.GetFiles(outDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Eval_on_a_file_without_the_target_column_is_one_line_naming_it()
    {
        var csv = _files.Text("test.csv", "length,width,depth,cost\n8,0,0,90\n10,0,0,101\n");

        var r = CliRun.Infer("eval", "--provider", "cpu", "--model", Model(), "--dataset", csv, "--out", _files.PathOf("eval-bad"));

        Assert.Equal(1, r.ExitCode);
        r.AssertOneErrorLineNaming(csv, "'price'");
        Assert.False(Directory.Exists(_files.PathOf("eval-bad")));
    }

    [Fact]
    public void Eval_names_a_non_numeric_target_cell_by_line_and_column()
    {
        var csv = _files.Text("test.csv", "length,width,depth,price\n8,0,0,90\n10,0,0,cheap\n");

        var r = CliRun.Infer("eval", "--provider", "cpu", "--model", Model(), "--dataset", csv, "--out", _files.PathOf("eval-bad"));

        Assert.Equal(1, r.ExitCode);
        r.AssertOneErrorLineNaming(csv, "line 3", "'price'", "'cheap'");
    }

    [Fact]
    public void Export_triton_gives_the_value_output_one_dim_per_target_and_no_label_file_on_it()
    {
        var repo = _files.PathOf("repo");

        var result = CliRun.Infer("export", "triton", "--model", Model(targets: 2), "--out", repo, "--name", "houses");

        Assert.Equal(0, result.ExitCode);
        var config = TritonConfigParser.Parse(File.ReadAllText(Path.Combine(repo, "houses", "config.pbtxt")));
        var input = Assert.Single(config.Input);
        Assert.Equal([3L], input.Dims);
        var output = Assert.Single(config.Output);
        Assert.Equal(("value", DataType.TypeFp32), (output.Name, output.DataType));
        Assert.Equal([2L], output.Dims);
        Assert.Equal("", output.LabelFilename);
        Assert.Equal(["price", "weight"], File.ReadAllLines(Path.Combine(repo, "houses", "labels.txt")));
    }
}
