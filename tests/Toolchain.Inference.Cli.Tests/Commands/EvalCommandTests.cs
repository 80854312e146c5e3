using System.Text.Json;
using Toolchain.Contracts;
using Toolchain.Data;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Cli.Tests.Commands;

public sealed class EvalCommandTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    // Test image 13 shows a 3 but is labelled 5: the model (right) disagrees with the label once in 20.
    private string MislabelledDataset() => _files.IdxDataset("idx", new Dictionary<int, byte> { [13] = 5 });

    [Fact]
    public void Eval_writes_report_json_confusion_png_and_samples_png_to_the_models_eval_folder()
    {
        var model = _files.ImageModel();
        var data = MislabelledDataset();

        var r = CliRun.Infer("eval", "--provider", "cpu", "--model", model, "--dataset", data);

        Assert.Equal(0, r.ExitCode);
        var dir = Path.Combine(Path.GetDirectoryName(model)!, "eval");
        Assert.Equal(["confusion.png", "report.json", "samples.png"], Directory.GetFiles(dir).Select(Path.GetFileName).Order());
        Assert.Empty(Directory.GetDirectories(dir)); // no staging folder left behind
        Assert.Equal(PngSignature, File.ReadAllBytes(Path.Combine(dir, "confusion.png"))[..8]);
        Assert.Equal(PngSignature, File.ReadAllBytes(Path.Combine(dir, "samples.png"))[..8]);

        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "report.json")));
        var root = report.RootElement;
        Assert.Equal(20, root.GetProperty("count").GetInt32());
        Assert.Equal(0.95, root.GetProperty("accuracy").GetDouble(), 12);
        var confusion = root.GetProperty("confusion_matrix");
        Assert.Equal(1, confusion[5][3].GetInt32());
        Assert.Equal(1, confusion[3][3].GetInt32());
        Assert.Equal(2, confusion[5][5].GetInt32());
        var report3 = root.GetProperty("classification_report").GetProperty("digit 3");
        Assert.Equal(0.5, report3.GetProperty("precision").GetDouble(), 12);
        Assert.Equal(1.0, report3.GetProperty("recall").GetDouble(), 12);
        Assert.Equal(1, report3.GetProperty("support").GetInt32());
        var report5 = root.GetProperty("classification_report").GetProperty("digit 5");
        Assert.Equal(1.0, report5.GetProperty("precision").GetDouble(), 12);
        Assert.Equal(2.0 / 3, report5.GetProperty("recall").GetDouble(), 12);
        Assert.Equal(3, report5.GetProperty("support").GetInt32());
    }

    [Fact]
    public void Eval_prints_accuracy_confusion_matrix_the_report_and_speed()
    {
        var model = _files.ImageModel();
        var data = MislabelledDataset();
        var outDir = _files.PathOf("out");

        var r = CliRun.Infer("eval", "--provider", "cpu", "--model", model, "--dataset", data, "--out", outDir, "--batch-size", "7");

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("accuracy  0.9500 (19/20)", r.Out);
        Assert.Contains("              precision    recall  f1-score   support", r.Out);
        Assert.Contains("    accuracy                         0.9500        20", r.Out);
        Assert.Contains("     digit 5     1.0000    0.6667    0.8000         3", r.Out);
        Assert.Contains("examples/s", r.Out);
        Assert.Contains("true\\pred", r.Out);
        Assert.True(File.Exists(Path.Combine(outDir, "report.json")));
    }

    [Fact]
    public void Eval_prints_the_cards_accuracy_beside_its_own_when_measured_on_the_same_data()
    {
        var data = MislabelledDataset();
        var card = TinyOnnxModels.ImageCard() with { DatasetName = data, TestCount = 20, TestAccuracy = 0.95 };
        var model = _files.ImageModel(card);

        var r = CliRun.Infer("eval", "--provider", "cpu", "--model", model, "--dataset", data);

        Assert.Contains("trainer recorded 0.9500 on the same data: matches (0 predictions apart)", r.Out);
    }

    [Fact]
    public void Eval_fails_with_exit_1_when_its_accuracy_is_more_than_one_prediction_from_the_cards_on_the_same_data()
    {
        var data = MislabelledDataset();
        var card = TinyOnnxModels.ImageCard() with { DatasetName = data, TestCount = 20, TestAccuracy = 0.80 };
        var model = _files.ImageModel(card);

        var r = CliRun.Infer("eval", "--provider", "cpu", "--model", model);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("DIFFERS by 3 predictions", r.Out);
        r.AssertOneErrorLineNaming(model, "0.9500", "0.8000", "3 predictions", "20 test examples");
        // The report is still written, so the disagreement can be looked into.
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(model)!, "eval", "report.json")));
    }

    [Fact]
    public void Eval_in_json_mode_also_fails_on_a_disagreement_after_printing_the_report()
    {
        var data = MislabelledDataset();
        var model = _files.ImageModel(TinyOnnxModels.ImageCard() with { DatasetName = data, TestCount = 20, TestAccuracy = 0.80 });

        var r = CliRun.Infer("eval", "--provider", "cpu", "--model", model, "--json");

        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.OutLines.Single());
        Assert.Equal(3, doc.RootElement.GetProperty("predictions_from_card").GetInt32());
        Assert.Contains("disagrees with the card's 0.8000 by 3 predictions", r.ErrorLines.Single());
    }

    [Fact]
    public void Eval_accepts_one_prediction_apart_from_the_card()
    {
        var data = MislabelledDataset();
        var model = _files.ImageModel(TinyOnnxModels.ImageCard() with { DatasetName = data, TestCount = 20, TestAccuracy = 0.90 });

        var r = CliRun.Infer("eval", "--provider", "cpu", "--model", model);

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("trainer recorded 0.9000 on the same data: matches (1 prediction apart)", r.Out);
        Assert.Equal("", r.Error);
    }

    [Fact]
    public void Eval_on_another_dataset_than_the_cards_compares_for_information_only()
    {
        var card = TinyOnnxModels.ImageCard() with { DatasetName = "mnist", TestCount = 10_000, TestAccuracy = 0.50 };
        var model = _files.ImageModel(card);

        var r = CliRun.Infer("eval", "--provider", "cpu", "--model", model, "--dataset", MislabelledDataset());

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("trainer recorded 0.5000 on other data (not comparable)", r.Out);
        Assert.Equal("", r.Error);
    }

    [Fact]
    public void Eval_all_counts_a_model_that_disagrees_with_its_card_as_failed()
    {
        var data = MislabelledDataset();
        var model = _files.ImageModel(TinyOnnxModels.ImageCard() with { DatasetName = data, TestCount = 20, TestAccuracy = 0.80 }, folder: "models/tiny");
        _files.BinaryModel(folder: "models/xor");

        var r = CliRun.Infer("eval-all", "--provider", "cpu", "--artifacts", _files.PathOf("models"));

        Assert.Equal(2, r.ExitCode);
        r.AssertOneErrorLineNaming(model, "0.9500", "0.8000", "3 predictions");
        Assert.EndsWith("differs from card", r.OutLines.Single(l => l.StartsWith("tiny ", StringComparison.Ordinal)));
        Assert.EndsWith("ok", r.OutLines.Single(l => l.StartsWith("xor ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Eval_in_json_mode_prints_the_report_as_one_object()
    {
        var model = _files.ImageModel();

        var r = CliRun.Infer("eval", "--provider", "cpu", "--model", model, "--dataset", MislabelledDataset(), "--json");

        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.OutLines.Single());
        Assert.Equal(0.95, doc.RootElement.GetProperty("accuracy").GetDouble(), 12);
    }

    [Fact]
    public void Eval_of_the_xor_model_reports_accuracy_and_mse_and_draws_the_decision_boundary()
    {
        var card = TinyOnnxModels.BinaryCard() with
        {
            Hyperparameters = new Dictionary<string, string> { [ModelCardKeys.DataSeed] = "4" },
        };
        var model = _files.BinaryModel(card);
        // The trainer tests on the draw after its data seed; the model is p = sigmoid(x0 + x1 - 1).
        var (x, y) = XorDataset.Generate(5);
        var p = Enumerable.Range(0, y.Length).Select(i => 1 / (1 + Math.Exp(-(x[2 * i] + x[2 * i + 1] - 1)))).ToArray();
        // Class 1 when p > 0.5, as the trainer counts it.
        var accuracy = Enumerable.Range(0, y.Length).Count(i => (p[i] > 0.5 ? 1 : 0) == (int)y[i]) / (double)y.Length;
        var mse = Enumerable.Range(0, y.Length).Average(i => (p[i] - y[i]) * (p[i] - y[i]));

        var r = CliRun.Infer("eval", "--provider", "cpu", "--model", model);

        Assert.Equal(0, r.ExitCode);
        var dir = Path.Combine(Path.GetDirectoryName(model)!, "eval");
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "report.json")));
        Assert.Equal("xor (seed 5)", report.RootElement.GetProperty("dataset").GetString());
        Assert.Equal(accuracy, report.RootElement.GetProperty("accuracy").GetDouble(), 12);
        Assert.Equal(mse, report.RootElement.GetProperty("mse").GetDouble(), 6); // the runtime returns float32 probabilities
        Assert.Equal(PngSignature, File.ReadAllBytes(Path.Combine(dir, "decision-boundary.png"))[..8]);
        Assert.Contains("mse       ", r.Out);
    }

    [Fact]
    public void Eval_with_an_unknown_dataset_fails_with_one_line_and_exit_1()
    {
        var model = _files.ImageModel();

        var r = CliRun.Infer("eval", "--provider", "cpu", "--model", model, "--dataset", "no-such-dataset");

        Assert.Equal(1, r.ExitCode);
        r.AssertOneErrorLineNaming("'no-such-dataset'", "dataset");
    }

    [Fact]
    public void Eval_all_evaluates_every_model_under_the_folder_and_prints_one_table()
    {
        var data = MislabelledDataset();
        _files.ImageModel(TinyOnnxModels.ImageCard() with { DatasetName = data, TestCount = 20, TestAccuracy = 0.95 }, folder: "models/tiny");
        _files.BinaryModel(folder: "models/xor");

        var r = CliRun.Infer("eval-all", "--provider", "cpu", "--artifacts", _files.PathOf("models"));

        Assert.Equal(0, r.ExitCode);
        var rows = r.OutLines.Where(l => l.StartsWith("tiny ", StringComparison.Ordinal) || l.StartsWith("xor ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, rows.Length);
        Assert.Contains("0.9500", rows[0]);
        Assert.EndsWith("ok", rows[0]);
        Assert.True(File.Exists(_files.PathOf("models/xor/eval/report.json")));
    }

    [Fact]
    public void Eval_that_fails_part_way_through_its_files_leaves_the_previous_runs_report_and_charts_untouched()
    {
        var model = _files.ImageModel();
        var outDir = _files.PathOf("out");
        Assert.Equal(0, CliRun.Infer("eval", "--provider", "cpu", "--model", model, "--dataset", MislabelledDataset(), "--out", outDir).ExitCode);
        var report = File.ReadAllBytes(Path.Combine(outDir, "report.json"));
        var confusion = File.ReadAllBytes(Path.Combine(outDir, "confusion.png"));
        // samples.png cannot be replaced: the run writes confusion.png first and used to fail with it already swapped in.
        File.Delete(Path.Combine(outDir, "samples.png"));
        Directory.CreateDirectory(Path.Combine(outDir, "samples.png"));

        var r = CliRun.Infer("eval", "--provider", "cpu", "--model", model, "--dataset", _files.IdxDataset("clean"), "--out", outDir);

        Assert.Equal(1, r.ExitCode);
        r.AssertOneErrorLineNaming(Path.Combine(outDir, "samples.png"), "folder");
        Assert.Equal(report, File.ReadAllBytes(Path.Combine(outDir, "report.json")));
        Assert.Equal(confusion, File.ReadAllBytes(Path.Combine(outDir, "confusion.png")));
        Assert.Equal(["samples.png"], Directory.GetDirectories(outDir).Select(Path.GetFileName));
    }

    [Fact]
    public void Eval_with_out_naming_an_existing_file_fails_with_one_line_before_evaluating()
    {
        var model = _files.ImageModel();
        var file = _files.Text("taken", "mine\n");

        var r = CliRun.Infer("eval", "--provider", "cpu", "--model", model, "--dataset", MislabelledDataset(), "--out", file);

        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Out);
        r.AssertOneErrorLineNaming($"--out {file}", "not a folder");
        Assert.Equal("mine\n", File.ReadAllText(file));
    }
}
