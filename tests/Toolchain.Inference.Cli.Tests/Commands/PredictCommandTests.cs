using System.Text.Json;

namespace Toolchain.Inference.Cli.Tests.Commands;

public sealed class PredictCommandTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    /// <summary>
    /// A bad row's line starts "infer: FILE:LINE: " and the rest holds each of <paramref name="facts"/> (the field, the
    /// value, the counts); the wording is pinned in <c>InferMessageWordingTests</c>.
    /// </summary>
    private static void BadRow(string line, string file, int row, params string[] facts)
    {
        var prefix = $"infer: {file}:{row}: ";
        Assert.StartsWith(prefix, line);
        Assert.All(facts, fact => Assert.Contains(fact, line[prefix.Length..]));
    }

    [Fact]
    public void Predict_prints_probability_and_class_for_each_csv_row_after_skipping_the_header()
    {
        var model = _files.BinaryModel();
        var csv = _files.Text("points.csv", "x1,x2\n1,1\n0,0\n0.5 0.5\n");

        var r = CliRun.Infer("predict", "--provider", "cpu", "--model", model, csv);

        Assert.Equal(0, r.ExitCode);
        // p = sigmoid(x0 + x1 - 1); class 1 only when p > 0.5, as the trainer counts it.
        Assert.Equal(["2\t1,1\t0.731059\tpositive", "3\t0,0\t0.268941\tnegative", "4\t0.5,0.5\t0.500000\tnegative"], r.OutLines);
    }

    [Fact]
    public void Predict_reports_a_bad_row_with_its_line_number_and_goes_on()
    {
        var model = _files.BinaryModel();
        var csv = _files.Text("points.csv", "1,1\n1,x\n\n1,2,3\n0,0\n");

        var r = CliRun.Infer("predict", "--provider", "cpu", "--model", model, csv);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal(["1", "5"], r.OutLines.Select(l => l.Split('\t')[0]));
        Assert.Collection(r.ErrorLines,
            notANumber => BadRow(notANumber, csv, 2, "field 2", "'x'"),
            tooMany => BadRow(tooMany, csv, 4, "2", "3"));
    }

    [Fact]
    public void Predict_reads_standard_input_when_given_a_dash_and_prints_json_lines()
    {
        var model = _files.BinaryModel();

        var r = CliRun.InferWithInput("2 0\n", "predict", "--provider", "cpu", "--model", model, "-", "--json");

        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.OutLines.Single());
        Assert.Equal(1, doc.RootElement.GetProperty("line").GetInt32());
        Assert.Equal(0.731059, doc.RootElement.GetProperty("probability").GetDouble(), 6);
        Assert.Equal(1, doc.RootElement.GetProperty("class").GetInt32());
    }

    [Theory]
    [InlineData("")]
    [InlineData("x1,x2\n")]
    [InlineData("# only a comment\n\n")]
    public void Predict_with_no_rows_of_features_fails_with_one_line_and_exit_1(string text)
    {
        var model = _files.BinaryModel();
        var csv = _files.Text("points.csv", text);

        var r = CliRun.Infer("predict", "--provider", "cpu", "--model", model, csv);

        Assert.Equal(1, r.ExitCode);
        Assert.Empty(r.OutLines);
        r.AssertOneErrorLineNaming(csv, "no rows");
    }

    [Fact]
    public void Predict_with_a_missing_feature_file_fails_with_one_line_and_exit_1()
    {
        var model = _files.BinaryModel();
        var missing = _files.PathOf("nope.csv");

        var r = CliRun.Infer("predict", "--provider", "cpu", "--model", model, missing);

        Assert.Equal(1, r.ExitCode);
        r.AssertOneErrorLineNaming(missing, "no such file");
    }

    [Fact]
    public void Predict_prints_the_first_ten_bad_rows_and_then_one_line_counting_the_rest()
    {
        var model = _files.BinaryModel();
        var csv = _files.Text("points.csv", "1,1\n" + string.Concat(Enumerable.Repeat("foo\n", 25)) + "0,0\n");

        var r = CliRun.Infer("predict", "--provider", "cpu", "--model", model, csv);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal(["1", "27"], r.OutLines.Select(l => l.Split('\t')[0]));
        Assert.Equal(11, r.ErrorLines.Length);
        Assert.All(Enumerable.Range(2, 10), line => BadRow(r.ErrorLines[line - 2], csv, line, "field 1", "'foo'"));
        Assert.StartsWith("infer: ", r.ErrorLines[^1]);
        Assert.All(["15", csv], fact => Assert.Contains(fact, r.ErrorLines[^1]));
    }

    [Fact]
    public void Predict_in_json_mode_still_gives_every_bad_row_its_own_object_and_prints_nothing_on_stderr()
    {
        var model = _files.BinaryModel();
        var csv = _files.Text("points.csv", "1,1\n" + string.Concat(Enumerable.Repeat("foo\n", 12)));

        var r = CliRun.Infer("predict", "--provider", "cpu", "--model", model, "--json", csv);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal(13, r.OutLines.Length);
        Assert.Equal(12, r.OutLines.Count(l => l.Contains("\"error\":\"field 1 is not a finite number: 'foo'\"", StringComparison.Ordinal)));
        Assert.Equal("", r.Error);
    }

    [Fact]
    public void Predict_refuses_a_binary_file_with_one_line_instead_of_an_error_per_row()
    {
        var model = _files.BinaryModel();
        var bytes = new byte[3000];
        new Random(1).NextBytes(bytes);
        bytes[100] = 0;
        var file = _files.Bytes("random.bin", bytes);

        var r = CliRun.Infer("predict", "--provider", "cpu", "--model", model, file);

        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Out);
        r.AssertOneErrorLineNaming($"{file}: ", "offset");
        Assert.Matches("NUL|0x[0-9A-F]{2}", r.ErrorLines[0]);
    }

    [Fact]
    public void Predict_refuses_a_file_whose_first_kilobyte_is_not_utf8_with_one_line()
    {
        var model = _files.BinaryModel();
        var file = _files.Bytes("latin1.csv", [(byte)'1', (byte)',', (byte)'1', (byte)'\n', (byte)'0', 0xE9, (byte)'\n']);

        var r = CliRun.Infer("predict", "--provider", "cpu", "--model", model, file);

        Assert.Equal(1, r.ExitCode);
        r.AssertOneErrorLineNaming(file, "UTF-8", "0xE9", "offset 5");
    }

    [Fact]
    public void Predict_refuses_a_character_device_at_once_instead_of_reading_it_forever()
    {
        var model = _files.BinaryModel();

        var r = CliRun.Infer("predict", "--provider", "cpu", "--model", model, "/dev/zero");

        Assert.Equal(1, r.ExitCode);
        r.AssertOneErrorLineNaming("/dev/zero", "character device");
    }

    [Fact]
    public void Predict_refuses_a_named_pipe_at_once_instead_of_waiting_for_a_writer()
    {
        var model = _files.BinaryModel();
        var pipe = Inputs.TextFileCheckTests.NamedPipe(_files, "pipe.csv");

        var r = CliRun.Infer("predict", "--provider", "cpu", "--model", model, pipe);

        Assert.Equal(1, r.ExitCode);
        r.AssertOneErrorLineNaming(pipe, "named pipe", "'-'");
    }

    [Fact]
    public void Predict_stops_at_a_line_longer_than_1_MiB_with_one_line_after_the_rows_before_it()
    {
        var model = _files.BinaryModel();
        var stdin = "1,1\n" + new string('0', (1 << 20) + 10);

        var r = CliRun.InferWithInput(stdin, "predict", "--provider", "cpu", "--model", model, "-");

        Assert.Equal(1, r.ExitCode);
        Assert.Equal(["1\t1,1\t0.731059\tpositive"], r.OutLines);
        r.AssertOneErrorLineNaming("<stdin>", "line 2", "1 MiB");
    }

    [Fact]
    public void Predict_takes_the_argument_after_a_one_value_input_shape_as_the_feature_file()
    {
        var model = ForeignModels.Binary(_files.PathOf("foreign.onnx"));
        var csv = _files.Text("points.csv", "1,1\n");

        var r = CliRun.Infer("predict", "--provider", "cpu", "--model", model, "--input-shape", "2", csv);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(["1\t1,1\t0.731059\t1"], r.OutLines);
        Assert.Equal("", r.Error);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("2,x")]
    [InlineData("1,,2")]
    [InlineData("")]
    public void Predict_refuses_an_input_shape_that_is_not_positive_sizes_with_one_line(string shape)
    {
        var model = ForeignModels.Binary(_files.PathOf("foreign.onnx"));
        var csv = _files.Text("points.csv", "1,1\n");

        var r = CliRun.Infer("predict", "--provider", "cpu", "--model", model, "--input-shape", shape, csv);

        Assert.Equal(1, r.ExitCode);
        r.AssertOneErrorLineNaming("--input-shape", $"'{shape}'");
    }

    [Fact]
    public void Predict_reports_rows_the_model_returns_NaN_for_as_failed_and_exits_2()
    {
        var model = ForeignModels.Binary(_files.PathOf("nan.onnx"), nan: true);
        var csv = _files.Text("points.csv", "1,1\n0,0\n");

        var r = CliRun.Infer("predict", "--provider", "cpu", "--model", model, "--input-shape", "2", csv);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.Equal([$"infer: {csv}:1: the model returned NaN", $"infer: {csv}:2: the model returned NaN"], r.ErrorLines);
    }
}
