using System.Globalization;
using System.Text;
using Toolchain.Contracts;
using Toolchain.Inference.Runtime;
using Toolchain.Trainer.Cli;
using Toolchain.Trainer.Tests.Training;

namespace Toolchain.Trainer.Tests.Cli;

[Collection(TorchRandomState.Name)]
public class TableTrainingTests
{
    private static (int Code, string Out, string Err) Train(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = TrainCommand.Run(args, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Two well-separated classes on features of very different scales, a constant column, semicolons.</summary>
    private static string Table(int rows)
    {
        var text = new StringBuilder("size;const;weight;kind\n");
        var random = new Random(3);
        for (int i = 0; i < rows; i++)
        {
            bool big = i % 2 == 0;
            double size = (big ? 1000 : 200) + (random.NextDouble() * 100);
            double weight = (big ? 0.002 : 0.001) + (random.NextDouble() * 0.0002);
            text.Append(CultureInfo.InvariantCulture, $"{size};7;{weight};{(big ? "large" : "small")}\n");
        }
        return text.ToString();
    }

    [Fact]
    public void A_csv_table_trains_exports_raw_feature_input_and_records_the_features_in_the_card()
    {
        using var dir = new TempDir();
        var csv = Path.Combine(dir.Path, "t.csv");
        File.WriteAllText(csv, Table(60));
        var outDir = Path.Combine(dir.Path, "out");

        var (code, output, err) = Train("mlp", "--dataset", csv, "--label-column", "kind", "--epochs", "20", "--test-fraction", "0.25", "--split-seed", "2", "--out", outDir);

        Assert.True(code == 0, err);
        Assert.Contains("column 'const' is constant", output, StringComparison.Ordinal);
        using var model = OnnxModel.Load(Path.Combine(outDir, "model.onnx"));
        var card = model.Info.Card!;
        Assert.Equal(["size", "const", "weight"], card.FeatureNames);
        Assert.True(card.NormalizationInGraph);
        Assert.Equal(["large", "small"], card.Labels);
        Assert.Equal(InputLayout.Nc, card.InputLayout);
        Assert.Equal(((double?)0.25, (int?)2), (card.TestFraction, card.SplitSeed));
        Assert.Equal(16, card.TestCount); // 30 per class × 0.25 = 7.5, rounded half away from zero: 8 each
        Assert.True(card.TestAccuracy >= 0.9, $"test accuracy {card.TestAccuracy}");
        // Raw values in: the graph standardises them itself.
        var p = model.Classify([1050f, 7f, 0.0021f, 230f, 7f, 0.00105f], 2);
        Assert.Equal(["large", "small"], p.Select(x => x.LabelName));
    }

    [Fact]
    public void The_exported_file_on_raw_test_rows_answers_what_the_trained_network_answers_on_its_own_test_features()
    {
        using var dir = new TempDir();
        var csv = Path.Combine(dir.Path, "t.csv");
        File.WriteAllText(csv, Table(60));
        var outDir = Path.Combine(dir.Path, "out");
        var (code, _, err) = Train("mlp", "--dataset", csv, "--label-column", "kind", "--epochs", "5", "--test-fraction", "0.25", "--out", outDir);
        Assert.True(code == 0, err);

        var difference = TableParity.MaxAbsDifference(outDir, csv);

        // The trainer standardises as the graph's Sub/Div head does (float32), so only the layers' rounding is left.
        Assert.InRange(difference, 0, 1e-5);
    }

    [Fact]
    public void A_table_with_one_class_is_one_line_and_exit_code_1()
    {
        using var dir = new TempDir();
        var csv = Path.Combine(dir.Path, "t.csv");
        File.WriteAllText(csv, "a,b\n1,x\n2,x\n3,x\n");

        var (code, _, err) = Train("mlp", "--dataset", csv, "--out", Path.Combine(dir.Path, "out"));

        Assert.Equal(1, code);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Contains("only one class", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Ignored_columns_stay_out_of_the_features_and_are_recorded_in_the_card()
    {
        using var dir = new TempDir();
        var csv = Path.Combine(dir.Path, "t.csv");
        var lines = Table(40).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        File.WriteAllLines(csv, lines.Select((l, i) => (i == 0 ? "name;" : $"row {i};") + l));
        var outDir = Path.Combine(dir.Path, "out");

        var (code, _, err) = Train("mlp", "--dataset", csv, "--ignore-columns", "name", "--epochs", "2", "--out", outDir, "-q");

        Assert.True(code == 0, err);
        using var model = OnnxModel.Load(Path.Combine(outDir, "model.onnx"));
        Assert.Equal(["size", "const", "weight"], model.Info.Card!.FeatureNames);
        Assert.Equal(["name"], model.Info.Card.IgnoredColumns);
    }

    [Fact]
    public void A_table_with_an_endless_line_or_a_sparse_hole_is_one_line_naming_the_file_line_and_limit()
    {
        using var dir = new TempDir();
        var longLine = Path.Combine(dir.Path, "long.csv");
        File.WriteAllText(longLine, "a,b,kind\n1,2,x\n" + new string('1', (1 << 20) + 1));
        var hole = Path.Combine(dir.Path, "hole.csv");
        File.WriteAllText(hole, "a,b,kind\n1,2,x\n3,4,y\n");
        using (var stream = new FileStream(hole, FileMode.Open))
        {
            stream.SetLength(8L << 30); // sparse: no disk, reads as NUL bytes without a line break
        }

        var (longCode, longOut, longErr) = Train("mlp", "--dataset", longLine, "--out", Path.Combine(dir.Path, "o1"));
        var (holeCode, _, holeErr) = Train("mlp", "--dataset", hole, "--out", Path.Combine(dir.Path, "o2"));

        Assert.Equal((1, 1), (longCode, holeCode));
        Assert.Equal($"trainer train: {longLine}: line 3 is longer than 1 MiB\n", longErr.Replace("\r", "", StringComparison.Ordinal));
        Assert.Equal($"trainer train: {hole}: line 4 holds a NUL character (column 1); it is not a text file\n", holeErr.Replace("\r", "", StringComparison.Ordinal));
        Assert.DoesNotContain("epoch", longOut, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "o1")));
    }

    [Fact]
    public void A_label_with_a_newline_and_an_escape_trains_and_is_printed_escaped()
    {
        using var dir = new TempDir();
        var csv = Path.Combine(dir.Path, "t.csv");
        // A quoted label spanning two lines and one holding ESC: data, not a broken file.
        File.WriteAllText(csv, Table(40).Replace("large", "\"lar\nge\"", StringComparison.Ordinal).Replace("small", "sm\u001b[31mall", StringComparison.Ordinal));

        var (code, output, err) = Train("mlp", "--dataset", csv, "--label-column", "kind", "--epochs", "2", "--out", Path.Combine(dir.Path, "out"));

        Assert.True(code == 0, err);
        Assert.DoesNotContain('\u001b', output);
        using var model = OnnxModel.Load(Path.Combine(dir.Path, "out", "model.onnx"));
        Assert.Equal(["lar\nge", "sm\u001b[31mall"], model.Info.Labels);
    }
}
