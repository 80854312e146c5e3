using System.Text.Json;

namespace Toolchain.Inference.Cli.Tests.Commands;

public sealed class PredictCommandTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

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
        Assert.Equal(
            [$"infer: {csv}:2: field 2 is not a finite number: 'x'", $"infer: {csv}:4: expected 2 features, found 3"],
            r.ErrorLines);
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
        Assert.Equal($"infer: {csv}: has no rows of features", r.ErrorLines.Single());
    }

    [Fact]
    public void Predict_with_a_missing_feature_file_fails_with_one_line_and_exit_1()
    {
        var model = _files.BinaryModel();
        var missing = _files.PathOf("nope.csv");

        var r = CliRun.Infer("predict", "--provider", "cpu", "--model", model, missing);

        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"infer: {missing}: no such file", r.ErrorLines.Single());
    }
}
