using Google.Protobuf;
using Inference;
using Onnx;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Toolchain.Inference.Cli.Tests.Export.Triton;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Cli.Tests.Commands;

/// <summary>The trained tiny CNN quantized once by <c>infer quantize</c> (mnist-sample calibration, the card's own test set).</summary>
public sealed class QuantizedCnnFiles : IDisposable
{
    public QuantizedCnnFiles()
    {
        Directory.CreateDirectory(Files.PathOf("cnn"));
        FloatModel = TinyOnnxModels.WriteTrainedCnn(Files.PathOf("cnn/model.onnx"));
        Run = CliRun.Infer("quantize", "--model", FloatModel, "--calibration", "mnist-sample", "--samples", "64", "--threads", "1");
    }

    public TestFiles Files { get; } = new();

    public string FloatModel { get; }

    public string Int8Model => Files.PathOf("cnn/model.int8.onnx");

    internal CliResult Run { get; }

    public void Dispose() => Files.Dispose();
}

public sealed class QuantizeCommandTests(QuantizedCnnFiles cnn) : IClassFixture<QuantizedCnnFiles>
{
    [Fact]
    public void Quantize_writes_model_int8_onnx_beside_the_model_and_says_what_it_did()
    {
        Assert.Equal(0, cnn.Run.ExitCode);
        Assert.True(File.Exists(cnn.Int8Model));
        var lines = cnn.Run.OutLines;
        Assert.StartsWith($"quantized {cnn.Int8Model} (int8-qdq, uint8 activations, minmax calibration on 64 examples of mnist-sample)", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("accuracy  float32 0.", StringComparison.Ordinal) && l.Contains("mnist-sample (1804 test examples)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("size      ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("speed     batch 64: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("cpu       ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("verdict   INT8 is ", StringComparison.Ordinal));
        Assert.Contains("float32   operators not quantized, left in float32: Softmax", lines);
        // Progress went to stderr; nothing else did (this machine has VNNI or not, so a warning may follow).
        Assert.Contains(cnn.Run.ErrorLines, l => l == "infer: evaluating the float32 model");
    }

    [Fact]
    public void The_int8_model_passes_infer_eval_against_its_own_card()
    {
        var r = CliRun.Infer("eval", "--provider", "cpu", "--model", cnn.Int8Model, "--out", cnn.Files.PathOf("int8-eval"));

        Assert.Equal(0, r.ExitCode);
        Assert.Contains(r.OutLines, l => l.Contains("trainer recorded", StringComparison.Ordinal) && l.Contains("matches", StringComparison.Ordinal));
    }

    [Fact]
    public void The_int8_model_classifies_a_png_as_the_float_model_does()
    {
        var (images, _) = MnistSample.LoadTest(1);
        var png = cnn.Files.PathOf("digit.png");
        using (var image = Image.LoadPixelData<L8>(images[0], 28, 28))
        {
            image.SaveAsPng(png);
        }

        var f = CliRun.Infer("classify", "--provider", "cpu", "--model", cnn.FloatModel, png);
        var q = CliRun.Infer("classify", "--provider", "cpu", "--model", cnn.Int8Model, png);

        Assert.Equal(0, q.ExitCode);
        Assert.Equal(f.Out.Split('\t')[1], q.Out.Split('\t')[1]);
    }

    [Fact]
    public void Bench_compare_times_both_models_in_interleaved_rounds()
    {
        var r = CliRun.Infer("bench", "--provider", "cpu", "--threads", "1", "--model", cnn.FloatModel, "--compare", cnn.Int8Model,
            "--batch-sizes", "1,4", "--seconds", "0.2", "--rounds", "2", "--out", cnn.Files.PathOf("bench"));

        Assert.Equal(0, r.ExitCode);
        Assert.Contains(r.OutLines, l => l.Contains("B/A per round", StringComparison.Ordinal));
        Assert.Contains(r.OutLines, l => l.StartsWith("verdict   INT8 is ", StringComparison.Ordinal));
        Assert.Contains(r.OutLines, l => l.StartsWith("cpu       ", StringComparison.Ordinal));
        var json = File.ReadAllText(cnn.Files.PathOf("bench/infer-bench-compare.json"));
        Assert.Contains("\"a_rounds\"", json);
    }

    [Fact]
    public void Bench_compare_refuses_a_model_of_another_input()
    {
        var other = cnn.Files.PathOf("xor.onnx");
        TinyOnnxModels.WriteBinary(other);

        var r = CliRun.Infer("bench", "--provider", "cpu", "--model", cnn.FloatModel, "--compare", other, "--batch-sizes", "1", "--seconds", "0.1");

        Assert.Equal(1, r.ExitCode);
        r.AssertOneErrorLineNaming(other, "2 values", "784");
    }

    [Fact]
    public void Export_triton_takes_the_int8_model_as_it_takes_a_float_one()
    {
        var repo = cnn.Files.PathOf("repo");

        var r = CliRun.Infer("export", "triton", "--model", cnn.Int8Model, "--out", repo, "--name", "cnn-int8");

        Assert.Equal(0, r.ExitCode);
        var config = TritonConfigParser.Parse(File.ReadAllText(Path.Combine(repo, "cnn-int8", "config.pbtxt")));
        // ONNX Runtime's backend runs QDQ graphs as they are: the same platform and FP32 tensors as the float model.
        Assert.Equal("onnxruntime_onnx", config.Platform);
        Assert.Equal(("input", DataType.TypeFp32), (config.Input[0].Name, config.Input[0].DataType));
        Assert.Equal(File.ReadAllBytes(cnn.Int8Model), File.ReadAllBytes(Path.Combine(repo, "cnn-int8", "1", "model.onnx")));
    }

    [Fact]
    public void An_already_quantized_model_is_refused()
    {
        var r = CliRun.Infer("quantize", "--model", cnn.Int8Model, "--calibration", "mnist-sample", "--out", cnn.Files.PathOf("again.onnx"));

        Assert.Equal(1, r.ExitCode);
        r.AssertOneErrorLineNaming(cnn.Int8Model, "already quantized");
        Assert.False(File.Exists(cnn.Files.PathOf("again.onnx")));
    }

    [Fact]
    public void A_foreign_model_without_dataset_is_refused_before_anything_runs()
    {
        var foreign = cnn.Files.PathOf("foreign.onnx");
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(cnn.FloatModel));
        model.MetadataProps.Clear();
        File.WriteAllBytes(foreign, model.ToByteArray());

        var r = CliRun.Infer("quantize", "--model", foreign, "--calibration", "mnist-sample");

        Assert.Equal(1, r.ExitCode);
        r.AssertOneErrorLineNaming(foreign, "no toolchain model card", "--dataset");
        Assert.False(File.Exists(cnn.Files.PathOf("foreign.int8.onnx")));
    }

    [Fact]
    public void A_foreign_model_with_dataset_and_its_input_described_is_quantized_and_its_file_carries_a_card()
    {
        var dir = cnn.Files.PathOf("foreign-ok");
        Directory.CreateDirectory(dir);
        var foreign = Path.Combine(dir, "model.onnx");
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(cnn.FloatModel));
        model.MetadataProps.Clear();
        File.WriteAllBytes(foreign, model.ToByteArray());

        var r = CliRun.Infer("quantize", "--model", foreign, "--dataset", "mnist-sample", "--calibration", "mnist-sample", "--samples", "64",
            "--input-shape", "1,28,28", "--mean", "0.1307", "--std", "0.3081", "--threads", "1");

        Assert.Equal(0, r.ExitCode);
        Assert.Contains(r.OutLines, l => l.StartsWith("accuracy  float32 0.", StringComparison.Ordinal) && l.Contains("mnist-sample (1804 test examples)", StringComparison.Ordinal));
        // The quantized file describes itself: infer eval needs no --input-shape, --mean or --std to score it as the
        // carded float model scores.
        Assert.InRange(Accuracy(Path.Combine(dir, "model.int8.onnx")) - Accuracy(cnn.FloatModel), -0.01, 0.01);
    }

    private double Accuracy(string model)
    {
        var eval = CliRun.Infer("eval", "--provider", "cpu", "--model", model, "--dataset", "mnist-sample", "--json", "--out", cnn.Files.PathOf(Guid.NewGuid().ToString("N")));
        Assert.Equal(0, eval.ExitCode);
        return System.Text.Json.JsonDocument.Parse(eval.Out).RootElement.GetProperty("accuracy").GetDouble();
    }

    [Fact]
    public void An_empty_calibration_folder_is_refused()
    {
        var empty = cnn.Files.PathOf("empty");
        Directory.CreateDirectory(empty);

        var r = CliRun.Infer("quantize", "--model", cnn.FloatModel, "--calibration", empty, "--out", cnn.Files.PathOf("x.onnx"));

        Assert.Equal(1, r.ExitCode);
        r.AssertOneErrorLineNaming("--calibration", empty, "no PNG");
        Assert.False(File.Exists(cnn.Files.PathOf("x.onnx")));
    }

    [Fact]
    public void Calibrating_on_blank_pictures_is_refused_by_the_accuracy_gate()
    {
        // An image folder of black pictures only: the input's range never reaches the ink, so real digits saturate
        // and accuracy falls.
        var blanks = cnn.Files.PathOf("blanks");
        foreach (var label in new[] { "a", "b" })
        {
            Directory.CreateDirectory(Path.Combine(blanks, label));
            for (var i = 0; i < 3; i++)
            {
                using var image = new Image<L8>(28, 28);
                image.SaveAsPng(Path.Combine(blanks, label, $"{i}.png"));
            }
        }
        var output = cnn.Files.PathOf("blank.int8.onnx");

        var r = CliRun.Infer("quantize", "--model", cnn.FloatModel, "--calibration", blanks, "--max-drop", "0", "--exclude", "", "--out", output);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not written", r.ErrorLines[^1]);
        Assert.Contains("points below the float32 model", r.ErrorLines[^1]);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void A_uint8_input_model_keeps_its_uint8_input_and_its_accuracy()
    {
        // A graph that takes pixels 0-255 and normalises them itself (trainer --input uint8): the quantized file must
        // take the same bytes, so /v2 metadata and clients see UINT8 as before, and be calibrated on pixels, not on
        // values the graph would normalise twice.
        var dir = cnn.Files.PathOf("pixels");
        Directory.CreateDirectory(dir);
        var model = TinyOnnxModels.WritePixelImageClassifier(Path.Combine(dir, "model.onnx"));
        var data = cnn.Files.IdxDataset("pixels-idx");

        var r = CliRun.Infer("quantize", "--model", model, "--calibration", data, "--dataset", data, "--threads", "1");

        Assert.Equal(0, r.ExitCode);
        Assert.Contains(r.OutLines, l => l.StartsWith("accuracy  float32 1.0000 -> 1.0000 ", StringComparison.Ordinal));
        var int8 = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(dir, "model.int8.onnx")));
        Assert.Equal((int)TensorProto.Types.DataType.Uint8, Assert.Single(int8.Graph.Input).Type.TensorType.ElemType);
        Assert.Contains(int8.Graph.Node, n => n.OpType == "QuantizeLinear");
        Assert.All(int8.Graph.Output, o => Assert.Equal((int)TensorProto.Types.DataType.Float, o.Type.TensorType.ElemType));
    }

    [Theory]
    [InlineData("--dynamic")]
    [InlineData("--calibration")]
    public void A_table_mlp_is_quantized_static_from_a_csv_or_dynamic_and_checked_on_its_rows(string how)
    {
        var dir = cnn.Files.PathOf($"table{how}");
        Directory.CreateDirectory(dir);
        var model = TinyOnnxModels.WriteTableMlp(Path.Combine(dir, "model.onnx"));
        var (x, y) = TinyOnnxModels.TableBlobs(300, seed: 3);
        var csv = Path.Combine(dir, "blobs.csv");
        File.WriteAllLines(csv, new[] { "f0,f1,f2,f3,label" }.Concat(Enumerable.Range(0, y.Length).Select(i =>
            string.Join(',', x.Skip(i * 4).Take(4).Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "," + "abc"[y[i]])));
        string[] args = how == "--dynamic" ? ["--dynamic"] : ["--calibration", csv, "--samples", "100"];

        var r = CliRun.Infer(["quantize", "--model", model, "--dataset", csv, "--threads", "1", .. args]);

        Assert.Equal(0, r.ExitCode);
        Assert.Contains(r.OutLines, l => l.StartsWith("accuracy  float32 0.9", StringComparison.Ordinal) && l.Contains("(300 test examples)", StringComparison.Ordinal));
        Assert.StartsWith(how == "--dynamic" ? $"quantized {Path.Combine(dir, "model.int8.onnx")} (int8-dynamic" : $"quantized {Path.Combine(dir, "model.int8.onnx")} (int8-qdq, uint8 activations, minmax calibration on 100 examples of {csv}", r.OutLines[0]);
        Assert.Equal(0, CliRun.Infer("predict", "--provider", "cpu", "--model", Path.Combine(dir, "model.int8.onnx"), csv).ExitCode);
    }

    [Theory]
    [InlineData("--method", "kl", "--method", "minmax, percentile or entropy")]
    [InlineData("--activations", "int4", "--activations", "uint8 or int8")]
    [InlineData("--samples", "0", "--samples", "0")]
    [InlineData("--max-drop", "-1", "--max-drop", "-1")]
    public void Bad_options_get_one_line(string option, string value, string fact1, string fact2)
    {
        var r = CliRun.Infer("quantize", "--model", cnn.FloatModel, "--calibration", "mnist-sample", option, value);

        Assert.Equal(1, r.ExitCode);
        r.AssertOneErrorLineNaming(fact1, fact2);
    }

    [Fact]
    public void Dynamic_and_fp16_together_or_static_without_calibration_get_one_line()
    {
        var both = CliRun.Infer("quantize", "--model", cnn.FloatModel, "--dynamic", "--fp16");
        var uncalibrated = CliRun.Infer("quantize", "--model", cnn.FloatModel);
        var itself = CliRun.Infer("quantize", "--model", cnn.FloatModel, "--dynamic", "--out", cnn.FloatModel);

        both.AssertOneErrorLineNaming("--dynamic", "--fp16");
        uncalibrated.AssertOneErrorLineNaming("--calibration", "--dynamic");
        itself.AssertOneErrorLineNaming("--out", "the model itself");
        Assert.All(new[] { both, uncalibrated, itself }, r => Assert.Equal(1, r.ExitCode));
    }
}
