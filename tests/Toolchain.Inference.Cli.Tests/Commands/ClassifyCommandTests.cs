using System.Text.Json;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Cli.Tests.Commands;

public sealed class ClassifyCommandTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Classify_prints_one_line_per_image_with_path_label_and_confidence()
    {
        var model = _files.ImageModel();
        var three = _files.Png("three.png", 3);
        var seven = _files.Png("seven.png", 7);

        var r = CliRun.Infer("classify", "--provider", "cpu", "--model", model, "--raw", three, seven);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Error);
        Assert.Equal(2, r.OutLines.Length);
        var first = r.OutLines[0].Split('\t');
        Assert.Equal(three, first[0]);
        Assert.Equal("digit 3", first[1]);
        Assert.InRange(double.Parse(first[2], System.Globalization.CultureInfo.InvariantCulture), 0.5, 1.0);
        Assert.Equal("digit 7", r.OutLines[1].Split('\t')[1]);
    }

    [Fact]
    public void Classify_with_good_and_bad_files_gives_each_bad_file_one_error_line_and_exits_2()
    {
        var model = _files.ImageModel();
        var good = _files.Png("good.png", 4);
        var empty = _files.Bytes("empty.png", []);
        var text = _files.Text("text.png", "this is not an image\n");
        var missing = _files.PathOf("missing.png");

        var r = CliRun.Infer("classify", "--provider", "cpu", "--model", model, "--raw", empty, good, text, missing);

        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.OutLines);
        Assert.StartsWith(good + "\tdigit 4\t", r.OutLines[0]);
        Assert.Equal(3, r.ErrorLines.Length);
        Assert.StartsWith($"infer: {empty}: ", r.ErrorLines[0]);
        Assert.StartsWith($"infer: {text}: ", r.ErrorLines[1]);
        Assert.StartsWith($"infer: {missing}: ", r.ErrorLines[2]);
        Assert.DoesNotContain("   at ", r.Error);
    }

    [Fact]
    public void Classify_in_json_mode_prints_one_parsable_object_per_file_including_failures()
    {
        var model = _files.ImageModel();
        var good = _files.Png("good.png", 2);
        var bad = _files.Text("bad.png", "nope");

        var r = CliRun.Infer("classify", "--provider", "cpu", "--model", model, "--raw", "--json", good, bad);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Error);
        Assert.Equal(2, r.OutLines.Length);
        using var ok = JsonDocument.Parse(r.OutLines[0]);
        Assert.Equal(good, ok.RootElement.GetProperty("file").GetString());
        Assert.Equal(2, ok.RootElement.GetProperty("label").GetInt32());
        Assert.Equal("digit 2", ok.RootElement.GetProperty("name").GetString());
        using var failed = JsonDocument.Parse(r.OutLines[1]);
        Assert.Equal(bad, failed.RootElement.GetProperty("file").GetString());
        Assert.False(string.IsNullOrWhiteSpace(failed.RootElement.GetProperty("error").GetString()));
    }

    [Fact]
    public void Classify_with_top_k_lists_k_classes_best_first()
    {
        var model = _files.ImageModel();
        var good = _files.Png("good.png", 6);

        var r = CliRun.Infer("classify", "--provider", "cpu", "--model", model, "--raw", "--json", "--top-k", "3", good);

        using var doc = JsonDocument.Parse(r.OutLines.Single());
        var top = doc.RootElement.GetProperty("top_k").EnumerateArray().ToArray();
        Assert.Equal(3, top.Length);
        Assert.Equal(6, top[0].GetProperty("label").GetInt32());
        var probabilities = top.Select(t => t.GetProperty("probability").GetDouble()).ToArray();
        Assert.Equal(probabilities.OrderByDescending(p => p), probabilities);
    }

    [Fact]
    public void Classify_expands_a_directory_into_its_images_in_sorted_order()
    {
        var model = _files.ImageModel();
        _files.Png("dir/b.png", 1);
        _files.Png("dir/a.png", 0);
        _files.Text("dir/notes.txt", "not an image, not picked up");

        var r = CliRun.Infer("classify", "--provider", "cpu", "--model", model, "--raw", _files.PathOf("dir"));

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(["a.png", "b.png"], r.OutLines.Select(l => Path.GetFileName(l.Split('\t')[0])));
    }

    [Fact]
    public void Classify_expands_a_glob_and_reports_a_pattern_that_matches_nothing()
    {
        var model = _files.ImageModel();
        _files.Png("g/one-1.png", 1);
        _files.Png("g/one-2.png", 2);
        _files.Png("g/two-3.png", 3);

        var r = CliRun.Infer("classify", "--provider", "cpu", "--model", model, "--raw", _files.PathOf("g/one-?.png"), _files.PathOf("g/*.jpg"));

        Assert.Equal(2, r.ExitCode);
        Assert.Equal(["digit 1", "digit 2"], r.OutLines.Select(l => l.Split('\t')[1]));
        Assert.Equal($"infer: {_files.PathOf("g/*.jpg")}: no files match this pattern", r.ErrorLines.Single());
    }

    [Fact]
    public void Classify_with_a_feature_vector_model_fails_with_one_line_and_exit_1()
    {
        var model = _files.BinaryModel();
        var good = _files.Png("good.png", 1);

        var r = CliRun.Infer("classify", "--provider", "cpu", "--model", model, good);

        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.StartsWith("infer: ", r.ErrorLines.Single());
    }

    [Fact]
    public void Classify_refuses_an_unknown_preprocessing_mode()
    {
        var model = _files.ImageModel();

        var r = CliRun.Infer("classify", "--provider", "cpu", "--model", model, "--mode", "stretch", _files.Png("a.png", 1));

        Assert.Equal(1, r.ExitCode);
        r.AssertOneErrorLineNaming("--mode", "none, digit or resize", "'stretch'");
    }

    [Fact]
    public void A_foreign_model_runs_when_its_input_shape_and_normalisation_are_given()
    {
        var model = Toolchain.TestSupport.TinyOnnxModels.WriteForeignImageClassifier(_files.PathOf("foreign.onnx"));
        var png = _files.Png("five.png", 5);

        var without = CliRun.Infer("classify", "--provider", "cpu", "--model", model, "--raw", png);
        var with = CliRun.Infer("classify", "--provider", "cpu", "--model", model, "--raw", "--input-shape", "1,28,28",
            "--mean", "0.1307", "--std", "0.3081", png);

        Assert.Equal(1, without.ExitCode);
        without.AssertOneErrorLineNaming($"{model}: ", "model card");
        Assert.Equal(0, with.ExitCode);
        Assert.Equal("5", with.OutLines.Single().Split('\t')[1]);
    }

    [Fact]
    public void Classify_reports_a_png_whose_chunk_type_holds_a_newline_on_one_line()
    {
        var model = _files.ImageModel();
        // A chunk of 5000 bytes whose type is "AB\nC", in a 36-byte file.
        byte[] header = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0x13, 0x88, (byte)'A', (byte)'B', (byte)'\n', (byte)'C'];
        var png = _files.Bytes("ctrl.png", [.. header, .. Enumerable.Repeat((byte)'x', 20)]);

        var r = CliRun.Infer("classify", "--provider", "cpu", "--model", model, png);

        Assert.Equal(2, r.ExitCode);
        var line = r.ErrorLines.Single();
        Assert.StartsWith($"infer: {png}: ", line);
        // The library names the type in hex when it is not printable (and the console would escape it if it were not).
        Assert.Contains("PNG chunk 0x41420A43", line);
    }

    [Fact]
    public void Classify_reports_an_image_the_model_returns_NaN_for_as_failed_and_exits_2()
    {
        var model = ForeignModels.NaNImageClassifier(_files.PathOf("nan.onnx"));
        var png = _files.Png("five.png", 5);

        var r = CliRun.Infer("classify", "--provider", "cpu", "--model", model, "--raw", "--input-shape", "1,28,28", png);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Out);
        r.AssertOneErrorLineNaming(png, "NaN");
    }

    [Fact]
    public void Classify_takes_the_images_after_single_valued_labels_and_input_shape_options()
    {
        var model = Toolchain.TestSupport.TinyOnnxModels.WriteForeignImageClassifier(_files.PathOf("foreign.onnx"));
        var png = _files.Png("five.png", 5);

        var r = CliRun.Infer("classify", "--provider", "cpu", "--model", model, "--raw", "--input-shape", "1,28,28",
            "--labels", "zero,one,two,three,four,five,six,seven,eight,nine", png);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("five", r.OutLines.Single().Split('\t')[1]);
    }

    [Fact]
    public void Classify_refuses_labels_with_an_empty_name_with_one_line()
    {
        var model = Toolchain.TestSupport.TinyOnnxModels.WriteForeignImageClassifier(_files.PathOf("foreign.onnx"));

        var r = CliRun.Infer("classify", "--provider", "cpu", "--model", model, "--input-shape", "1,28,28", "--labels", "a,,b", _files.Png("a.png", 1));

        Assert.Equal(1, r.ExitCode);
        r.AssertOneErrorLineNaming("--labels", "'a,,b'");
    }

    [Fact]
    public void Classify_on_a_folder_of_class_folders_prints_one_line_per_image_in_every_class_folder()
    {
        var model = _files.ImageModel();
        var images = new[] { "set/three/a.png", "set/three/b.png", "set/seven/deeper/c.png" };
        var labels = new[] { 3, 3, 7 };
        for (int i = 0; i < images.Length; i++)
        {
            _files.Png(images[i], labels[i]);
        }

        var r = CliRun.Infer("classify", "--provider", "cpu", "--model", model, "--raw", _files.PathOf("set"));

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Error);
        Assert.Equal([.. images.Select(_files.PathOf).Order(StringComparer.Ordinal)], r.OutLines.Select(l => l.Split('\t')[0]));
        Assert.Equal(["digit 7", "digit 3", "digit 3"], r.OutLines.Select(l => l.Split('\t')[1]));
    }

    [Fact]
    public void A_label_or_path_with_a_newline_or_a_terminal_escape_stays_one_escaped_line_and_valid_json()
    {
        string[] labels = ["zero", "one\ntwo", "red\u001b[31m", "tab\there", "4", "5", "6", "7", "8", "9"];
        var model = _files.ImageModel(TinyOnnxModels.ImageCard() with { Labels = labels });
        var odd = _files.Png("odd\nname\u001b[2J.png", 1);
        var red = _files.Png("red.png", 2);
        var tab = _files.Png("tab.png", 3);

        var text = CliRun.Infer("classify", "--provider", "cpu", "--model", model, "--raw", "--top-k", "2", odd, red, tab);
        var json = CliRun.Infer("classify", "--provider", "cpu", "--model", model, "--raw", "--json", odd, red, tab);

        Assert.Equal(0, text.ExitCode);
        Assert.Equal(3, text.OutLines.Length);
        Assert.DoesNotContain('\u001b', text.Out);
        var first = text.OutLines[0].Split('\t');
        Assert.Equal(_files.PathOf("odd\\x0Aname\\x1B[2J.png"), first[0]);
        Assert.Equal("one\\x0Atwo", first[1]);
        Assert.Equal("red\\x1B[31m", text.OutLines[1].Split('\t')[1]);
        Assert.Equal("tab\\x09here", text.OutLines[2].Split('\t')[1]);
        Assert.All(text.OutLines, l => Assert.Equal(4, l.Split('\t').Length));
        Assert.Equal(0, json.ExitCode);
        Assert.Equal(3, json.OutLines.Length);
        using var doc = JsonDocument.Parse(json.OutLines[0]);
        Assert.Equal("one\ntwo", doc.RootElement.GetProperty("name").GetString());
        Assert.Equal(odd, doc.RootElement.GetProperty("file").GetString());
    }
}
