using System.Globalization;
using System.Text;
using System.Text.Json;
using Toolchain.Contracts;
using Toolchain.Inference.Runtime;
using Toolchain.Trainer.Cli;
using Toolchain.Trainer.Tests.Onnx;
using Toolchain.Trainer.Tests.Training;
using Toolchain.Trainer.Training;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Tests.Cli;

/// <summary>
/// <c>trainer train --task regression</c> on CSV tables: the task choice, the exported graph's inverse
/// standardisation (ONNX Runtime on raw rows against the trained network mapped back to the targets' units), the
/// card, metrics.json and charts, and a one-line refusal with exit code 1 for every bad target.
/// </summary>
[Collection(TorchRandomState.Name)]
public class TableRegressionTrainingTests
{
    private static (int Code, string Out, string Err) Train(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = TrainCommand.Run(args, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// price = 3000 + 250·rooms − 40·age (+ noise), area = 20·rooms (+ noise): targets far from 0 and of unlike scales,
    /// so a graph that forgot to undo the standardisation is wrong by orders of magnitude.
    /// </summary>
    private static string Houses(int rows)
    {
        var text = new StringBuilder("rooms,age,note,price,area\n");
        var random = new Random(5);
        for (int i = 0; i < rows; i++)
        {
            double rooms = 1 + random.Next(8), age = random.NextDouble() * 50;
            double price = 3000 + (250 * rooms) - (40 * age) + (random.NextDouble() * 20);
            double area = (20 * rooms) + random.NextDouble();
            text.Append(CultureInfo.InvariantCulture, $"{rooms},{age:0.###},n{i % 3},{price:0.##},{area:0.###}\n");
        }
        return text.ToString();
    }

    [Fact]
    public void Auto_picks_regression_for_a_many_valued_number_says_so_and_records_it_in_the_card_metrics_and_charts()
    {
        using var dir = new TempDir();
        var csv = Path.Combine(dir.Path, "houses.csv");
        File.WriteAllText(csv, Houses(80));
        var outDir = Path.Combine(dir.Path, "out");

        var (code, output, err) = Train("mlp", "--dataset", csv, "--label-column", "price", "--ignore-columns", "note,area", "--epochs", "40", "--out", outDir);

        Assert.True(code == 0, err);
        Assert.Contains("task: regression: 'price' holds", output, StringComparison.Ordinal);
        using var model = OnnxModel.Load(Path.Combine(outDir, "model.onnx"));
        var card = model.Info.Card;
        Assert.Equal(ModelTask.Regression, card.Task);
        Assert.Equal(["price"], card.TargetNames);
        Assert.Empty(card.Labels);
        Assert.InRange(card.TargetMeans[0], 3000, 5000);
        Assert.True(card.TestR2 > 0.9, $"test R² {card.TestR2}");
        Assert.Equal(1, model.ValueCount);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        var regression = metrics.RootElement.GetProperty("regression");
        Assert.Equal(card.TestR2!.Value, regression.GetProperty("r2").GetDouble(), 1e-9);
        Assert.Equal(card.TestRmse!.Value, regression.GetProperty("rmse").GetDouble(), 1e-9);
        var history = File.ReadAllLines(Path.Combine(outDir, "history.csv"));
        Assert.Equal(42, history.Length); // the header, the untrained epoch 0, then 40 epochs
        foreach (var chart in new[] { "loss.png", "predicted-vs-actual.png", "residuals.png" })
        {
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(outDir, chart))[..4]);
        }
        Assert.Contains($"test R² {card.TestR2:0.0000}", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_exported_graph_answers_the_trained_network_mapped_back_to_the_targets_units()
    {
        using var dir = new TempDir();
        var csv = Path.Combine(dir.Path, "houses.csv");
        File.WriteAllText(csv, Houses(60));
        var outDir = Path.Combine(dir.Path, "out");
        var (code, output, err) = Train("mlp", "--dataset", csv, "--label-column", "price,area", "--ignore-columns", "note", "--epochs", "3", "--out", outDir);
        Assert.True(code == 0, err);
        var said = Assert.Single(output.Split('\n'), l => l.StartsWith("task: regression on", StringComparison.Ordinal));
        Assert.Contains("'price'", said, StringComparison.Ordinal);
        Assert.Contains("'area'", said, StringComparison.Ordinal);

        var checkpoint = Checkpoint.Load(Path.Combine(outDir, Checkpoint.FileName));
        using var network = checkpoint.Model;
        var options = checkpoint.Options!;
        var (data, _) = TrainingDataLoader.Load(new DataRequest(csv, "/nowhere", options), CPU, null);
        using (data)
        {
            Assert.Equal(["price", "area"], data.TargetNames);
            var table = Toolchain.Data.Tables.TableDataset.Load(csv, options.LabelColumn, options.TestFraction, options.SplitSeed,
                ignoreColumns: ["note"], task: options.Task);
            using var raw = tensor(table.Test.Features.Select(v => (float)v).ToArray(), [table.Test.Count, table.FeatureNames.Count]);
            using var ort = new OrtRunner(Path.Combine(outDir, "model.onnx"));
            var fromFile = ort.Run(raw)["value"].Data;
            using var noGrad = no_grad();
            using var standardised = network.forward(data.TestX).to(float64);
            var values = standardised.data<double>().ToArray();
            // The trained network's outputs in the users' units: × std + mean, target by target.
            var expected = values.Select((v, i) => (v * data.TargetStds[i % 2]) + data.TargetMeans[i % 2]).ToArray();
            Assert.Equal(expected.Length, fromFile.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                // float32 of a price in the thousands holds about 4e-4; the inverse adds nothing beyond that rounding.
                Assert.Equal(expected[i], fromFile[i], Math.Max(1e-3, Math.Abs(expected[i]) * 2e-6));
            }
            // Sanity: the values are in the targets' units (prices in the thousands), not standardised.
            Assert.InRange(fromFile.Where((_, i) => i % 2 == 0).Average(), 2000, 6000);
        }
    }

    [Fact]
    public void A_validation_split_and_early_stopping_work_for_a_regression_scoring_r2()
    {
        using var dir = new TempDir();
        var csv = Path.Combine(dir.Path, "houses.csv");
        File.WriteAllText(csv, Houses(80));
        var outDir = Path.Combine(dir.Path, "out");

        var (code, _, err) = Train("mlp", "--dataset", csv, "--label-column", "price", "--ignore-columns", "note,area", "--epochs", "30",
            "--validation", "0.25", "--patience", "5", "--out", outDir);

        Assert.True(code == 0, err);
        var history = File.ReadAllLines(Path.Combine(outDir, "history.csv"));
        Assert.EndsWith(",val_loss,val_r2", history[0], StringComparison.Ordinal);
        // Every trained epoch has a validation loss and an R² no greater than 1.
        foreach (var row in history.Skip(2).Select(l => l.Split(',')))
        {
            Assert.True(double.Parse(row[^2], CultureInfo.InvariantCulture) >= 0);
            Assert.InRange(double.Parse(row[^1], CultureInfo.InvariantCulture), double.NegativeInfinity, 1);
        }
    }

    [Theory]
    [InlineData("classification", "class")]
    [InlineData("auto", "classification: 'grade' holds 3 whole numbers")]
    [InlineData("regression", "task: regression on 'grade' (--task)")]
    public void Few_whole_numbers_are_classes_unless_the_task_says_regression(string task, string said)
    {
        using var dir = new TempDir();
        var csv = Path.Combine(dir.Path, "grades.csv");
        var text = new StringBuilder("x,grade\n");
        for (int i = 0; i < 30; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i},{1 + (i / 10)}\n");
        }
        File.WriteAllText(csv, text.ToString());
        var outDir = Path.Combine(dir.Path, "out");

        var (code, output, err) = Train("mlp", "--dataset", csv, "--task", task, "--epochs", "1", "--no-export", "--out", outDir);

        Assert.True(code == 0, err);
        if (task != "classification")
        {
            Assert.Contains(said, output, StringComparison.Ordinal);
        }
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        Assert.Equal(task == "regression", metrics.RootElement.TryGetProperty("regression", out var r) && r.ValueKind == JsonValueKind.Object);
    }

    public static TheoryData<string, string, string[]> BadTargets => new()
    {
        { "constant", "x,y\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"{i},5\n")), ["'y'", "same value", "nothing to predict"] },
        { "nan", "x,y\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"{i},{(i == 7 ? "NaN" : i + 0.5)}\n")), ["line 9", "'y'", "'NaN'"] },
        { "empty", "x,y\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"{i},{(i == 4 ? "" : i + 0.5)}\n")), ["line 6", "'y'", "empty"] },
        { "text", "x,y\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"{i},{(i == 11 ? "lots" : i + 0.5)}\n")), ["line 13", "'y'", "'lots'"] },
        { "few", "x,y\n" + string.Concat(Enumerable.Range(0, 9).Select(i => $"{i},{i + 0.5}\n")), ["9 rows", "at least 10"] },
        { "missing", "x,y,z\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"{i},{i + 0.5},{i}\n")), ["'w'"] },
        { "second-target-text", "x,y,z\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"{i},{i + 0.5},{(i == 2 ? "?" : i)}\n")), ["line 4", "'z'", "'?'"] },
    };

    [Theory]
    [MemberData(nameof(BadTargets))]
    public void A_bad_target_is_one_line_naming_the_problem_and_exit_code_1(string name, string csvText, string[] facts)
    {
        using var dir = new TempDir();
        var csv = Path.Combine(dir.Path, $"{name}.csv");
        File.WriteAllText(csv, csvText);
        string[] labels = name switch { "missing" => ["--label-column", "y,w"], "second-target-text" => ["--label-column", "y,z"], _ => ["--label-column", "y"] };
        var outDir = Path.Combine(dir.Path, "out");

        var (code, _, err) = Train(["mlp", "--dataset", csv, "--task", "regression", .. labels, "--epochs", "1", "--out", outDir]);

        Assert.Equal(1, code);
        var line = Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Contains(csv, line, StringComparison.Ordinal);
        Assert.All(facts, f => Assert.Contains(f, line, StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(outDir, "model.onnx")));
    }
}
