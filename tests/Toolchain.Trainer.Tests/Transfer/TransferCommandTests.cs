using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Toolchain.Contracts;
using Toolchain.Inference.Imaging;
using Toolchain.Inference.Runtime;
using Toolchain.TestSupport;
using Toolchain.Trainer.Cli;
using Toolchain.Trainer.Tests.Training;

namespace Toolchain.Trainer.Tests.Transfer;

/// <summary><c>trainer train transfer</c> end to end on the tiny CNTK-like backbone and a folder of coloured squares.</summary>
[Collection(TorchRandomState.Name)]
public class TransferCommandTests
{
    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = TransferCommand.Run(args, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>A run on the tiny backbone: small batches and a high rate for a few pictures, unless <paramref name="more"/> says otherwise.</summary>
    private static string[] Tiny(TransferFiles files, string data, string outDir, string cache, params string[] more)
    {
        List<string> args = ["--dataset", data, "--backbone", files.Path("tiny.onnx"), "--backbone-config", files.Path("tiny.json"), "--out", outDir, "--cache-dir", cache, .. more];
        foreach (var (flag, value) in new[] { ("--batch-size", "8"), ("--lr", "0.02"), ("--epochs", "40") })
        {
            if (!more.Contains(flag))
            {
                args.AddRange([flag, value]);
            }
        }
        return [.. args];
    }

    [Fact]
    public void A_frozen_run_exports_one_model_that_classifies_and_a_second_run_reads_the_features_from_the_cache()
    {
        using var files = new TransferFiles();
        var data = BackboneFeaturizerTests.WriteColourFolder(files.Dir, 12);
        var outDir = files.Path("out");
        var cache = files.Path("cache");

        // The arguments that wrote the committed tiny transfer model, which this run's export is checked against.
        var (code, output, error) = Run(TinyTransferModel.TrainArguments(data, files.Path("tiny.onnx"), files.Path("tiny.json"), outDir, cache));

        Assert.True(code == 0, error);
        CommittedTransferModel.Check(files.Path("out/model.onnx"));
        Assert.Contains("featurizing images: 36/36", output, StringComparison.Ordinal);
        Assert.Contains("start-up: training began", output, StringComparison.Ordinal);
        using (var model = OnnxModel.Load(files.Path("out/model.onnx")))
        {
            var card = model.Info.Card!;
            Assert.Equal(["blue", "green", "red"], card.Labels);
            Assert.Equal([-1L, 3, TinyBackbones.CntkSize, TinyBackbones.CntkSize], card.InputShape);
            Assert.Equal(PreprocessingMode.Resize, card.PreprocessingMode);
            Assert.True(card.NormalizationInGraph);
            Assert.True(card.HasIntegrityRecord);
            var backbone = card.Backbone!;
            Assert.Equal("tiny-cntk", backbone.Name);
            Assert.Equal(files.Sha256("tiny.onnx"), backbone.Sha256);
            Assert.Equal("MIT", backbone.Licence);
            Assert.Equal("frozen", backbone.Tuning);
            Assert.Equal("linear(3)", backbone.Head);
            // The default reads the last stage's input averaged beside the output: 16 + 8 values for the tiny backbone.
            Assert.Equal($"{TinyBackbones.CntkFeatures} (16) + mean of {TinyBackbones.CntkLastStage} (8)", backbone.Features);
            Assert.Contains("centre crop", backbone.Resize, StringComparison.Ordinal);
            Assert.Equal("none", card.Hyperparameters["fine_tune"]);
            Assert.StartsWith("standard: 3 cached augmented view", card.Hyperparameters["augment"], StringComparison.Ordinal); // the default preset, never in the graph
            Assert.Equal("0.1", card.Hyperparameters["validation_fraction"]);
            Assert.Equal(0.2, card.TestFraction);

            // Through the inference library as any image model: a picture of another size, resized outside the graph.
            using var classifier = new ImageClassifier(model);
            using var red = new Image<Rgb24>(50, 60, new Rgb24(200, 20, 10));
            using var png = new MemoryStream();
            red.SaveAsPng(png);
            Assert.Equal("red", classifier.Classify(png.ToArray(), "red.png").LabelName);
        }
        using (var metrics = JsonDocument.Parse(File.ReadAllText(files.Path("out/metrics.json"))))
        {
            Assert.False(metrics.RootElement.GetProperty("features_from_cache").GetBoolean());
            Assert.Equal(1.0, metrics.RootElement.GetProperty("test_accuracy").GetDouble());
        }

        var (again, output2, error2) = Run(Tiny(files, data, files.Path("out2"), cache, "--head", "linear(3)"));

        Assert.True(again == 0, error2);
        Assert.DoesNotContain("featurizing images", output2, StringComparison.Ordinal);
        Assert.Contains("features read from the cache", output2.Replace("images' tiny-cntk ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        using var second = JsonDocument.Parse(File.ReadAllText(files.Path("out2/metrics.json")));
        Assert.True(second.RootElement.GetProperty("features_from_cache").GetBoolean());

        // --features output is another set of features: computed, not read from the entry above, and the graph reads the output alone.
        var (output3Code, output3, error3) = Run(Tiny(files, data, files.Path("out3"), cache, "--head", "linear(3)", "--features", "output"));
        Assert.True(output3Code == 0, error3);
        Assert.Contains("featurizing images: 36/36", output3, StringComparison.Ordinal);
        Assert.Contains("16 features per image", output3, StringComparison.Ordinal);
        Assert.Contains("24 features per image", output, StringComparison.Ordinal);
        using var outputOnly = OnnxModel.Load(files.Path("out3/model.onnx"));
        Assert.Equal("", outputOnly.Info.Card!.Backbone!.Features);
    }

    [Fact]
    public void Without_a_head_both_candidates_train_and_the_better_one_on_validation_is_kept()
    {
        using var files = new TransferFiles();
        var data = BackboneFeaturizerTests.WriteColourFolder(files.Dir, 12);

        var (code, output, error) = Run(Tiny(files, data, files.Path("out"), files.Path("cache"), "--no-export", "--epochs", "5"));

        Assert.True(code == 0, error);
        Assert.Contains("head linear(3): validation", output, StringComparison.Ordinal);
        Assert.Contains("head linear(256) relu dropout linear(3): validation", output, StringComparison.Ordinal);
        Assert.Contains("head: kept ", output, StringComparison.Ordinal);
        using var metrics = JsonDocument.Parse(File.ReadAllText(files.Path("out/metrics.json")));
        Assert.Equal(2, metrics.RootElement.GetProperty("head_trials").GetArrayLength());
        Assert.False(File.Exists(files.Path("out/model.onnx")));
        Assert.StartsWith("phase,epoch,train_loss,train_acc,val_loss,val_acc", File.ReadAllText(files.Path("out/history.csv")), StringComparison.Ordinal);
    }

    [Fact]
    public void Fine_tuning_the_last_stage_and_everything_exports_what_was_trained()
    {
        using var files = new TransferFiles();
        var data = BackboneFeaturizerTests.WriteColourFolder(files.Dir, 8);

        var (code, output, error) = Run(Tiny(files, data, files.Path("last"), files.Path("cache"), "--head", "linear(3)", "--epochs", "5",
            "--fine-tune", "last", "--fine-tune-epochs", "2", "--lr", "0.002", "--augment", "light"));

        Assert.True(code == 0, error);
        // One pass computes features and stage activations for the pictures, a second the mirrored copies (--augment light).
        Assert.Contains("featurizing images: 24/24", output, StringComparison.Ordinal);
        Assert.Contains("fine-tuning the last stage for 2 epochs", output, StringComparison.Ordinal);
        using (var model = OnnxModel.Load(files.Path("last/model.onnx")))
        {
            Assert.Equal($"last stage, from {TinyBackbones.CntkLastStage}", model.Info.Card!.Backbone!.Tuning);
            Assert.Equal("last", model.Info.Card.Hyperparameters["fine_tune"]);
            Assert.StartsWith("light: 1 cached", model.Info.Card.Hyperparameters["augment"], StringComparison.Ordinal);
        }

        // A frozen run after it takes view 0 of those cached features: nothing goes through the backbone again.
        var (frozen, frozenOutput, frozenError) = Run(Tiny(files, data, files.Path("frozen"), files.Path("cache"), "--head", "linear(3)", "--no-export", "--augment", "light"));
        Assert.True(frozen == 0, frozenError);
        Assert.DoesNotContain("featurizing", frozenOutput, StringComparison.Ordinal);
        Assert.Contains("features read from the cache", frozenOutput.Replace("images' tiny-cntk ", "", StringComparison.Ordinal), StringComparison.Ordinal);

        var (all, allOutput, allError) = Run(Tiny(files, data, files.Path("all"), files.Path("cache"), "--head", "linear(3)", "--epochs", "5",
            "--fine-tune", "all", "--fine-tune-epochs", "1", "--input", "uint8", "--lr", "0.002"));

        Assert.True(all == 0, allError + allOutput);
        Assert.Contains("fine-tuning all stages for 1 epoch (", allOutput, StringComparison.Ordinal);
        using var allModel = OnnxModel.Load(files.Path("all/model.onnx"));
        Assert.Equal("all", allModel.Info.Card!.Backbone!.Tuning);
        Assert.Equal(ElementType.UInt8, allModel.Info.Card.ElementType);
    }

    [Fact]
    public void Bad_input_gets_one_line_and_a_failing_exit_code()
    {
        using var files = new TransferFiles();
        var data = BackboneFeaturizerTests.WriteColourFolder(files.Dir, 4);
        var tiny = BackboneFeaturizerTests.WriteColourFolder(files.Path("tiny"), 4, side: 3);
        File.WriteAllText(files.Path("corrupt.onnx"), "this is not a protobuf at all, just text");
        File.WriteAllText(files.Path("map.json"), TinyBackbones.CntkConfig(output: TinyBackbones.CntkLastStage));
        string outDir = files.Path("out"), cache = files.Path("cache");

        void Refused(string expected, params string[] args)
        {
            var (code, output, error) = Run(args);
            Assert.Equal(1, code);
            Assert.True(error.Contains(expected, StringComparison.Ordinal), error);
            Assert.Single(error.Trim().Split('\n'));
            Assert.DoesNotContain("   at ", error + output, StringComparison.Ordinal);
        }

        Refused("--fine-tune: unknown value 'sideways' (known: none, last, all)", Tiny(files, data, outDir, cache, "--fine-tune", "sideways"));
        Refused("--features: unknown value 'all' (known: output, with-stage)", Tiny(files, data, outDir, cache, "--features", "all"));
        Refused("--head: 'linear(5)' ends in [5] but the dataset has 3 classes; end with linear(3)", Tiny(files, data, outDir, cache, "--head", "linear(5)"));
        Refused("--head: unknown layer 'lstm'", Tiny(files, data, outDir, cache, "--head", "lstm(3)"));
        Refused("does not exist", "--dataset", data, "--backbone", files.Path("missing.onnx"), "--backbone-config", files.Path("tiny.json"), "--cache-dir", cache, "--out", outDir);
        Refused("is not an ONNX model", "--dataset", data, "--backbone", files.Path("corrupt.onnx"), "--backbone-config", files.Path("tiny.json"), "--cache-dir", cache, "--out", outDir);
        Refused("not a feature vector", "--dataset", data, "--backbone", files.Path("tiny.onnx"), "--backbone-config", files.Path("map.json"), "--cache-dir", cache, "--out", outDir);
        Refused("images are too small for the backbone", Tiny(files, tiny, outDir, cache));
        Refused("an ONNX backbone needs --backbone-config", "--dataset", data, "--backbone", files.Path("tiny.onnx"));
        Refused("--backbone-config describes an ONNX --backbone file", "--dataset", data, "--backbone-config", files.Path("tiny.json"));
        Refused("'--dataset' is required", "--backbone", files.Path("tiny.onnx"));
        Refused("--validation-fraction must be in (0, 0.9)", Tiny(files, data, outDir, cache, "--validation-fraction", "0.95"));
        Refused("--augment: unknown preset 'heavy'", Tiny(files, data, outDir, cache, "--augment", "heavy"));
        Assert.False(File.Exists(Path.Combine(outDir, "model.onnx")));
    }
}
