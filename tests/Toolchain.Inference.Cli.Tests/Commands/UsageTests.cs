namespace Toolchain.Inference.Cli.Tests.Commands;

public class UsageTests
{
    [Fact]
    public void An_unknown_command_exits_1_and_names_it()
    {
        var r = CliRun.Infer("frobnicate");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("infer: unknown command 'frobnicate'", r.Error);
    }

    [Fact]
    public void A_missing_required_option_is_one_line_and_exit_1()
    {
        var r = CliRun.Infer("classify", "x.png");

        Assert.Equal(1, r.ExitCode);
        var line = Assert.Single(r.ErrorLines);
        Assert.StartsWith("infer: ", line);
        Assert.Contains("model", line);
        Assert.Contains("infer classify --help", line);
    }

    [Fact]
    public void Help_lists_the_commands_on_standard_output_and_exits_0()
    {
        var r = CliRun.Infer("--help");

        Assert.Equal(0, r.ExitCode);
        foreach (var verb in new[] { "eval", "eval-all", "classify", "predict", "info", "bench" })
        {
            Assert.Contains(verb, r.Out);
        }
    }

    [Fact]
    public void An_invalid_provider_is_a_usage_error()
    {
        var r = CliRun.Infer("info", "--model", "m.onnx", "extra");
        var p = CliRun.Infer("eval", "--model", "m.onnx", "--provider", "tpu");

        Assert.Equal(1, r.ExitCode);
        Assert.Equal(1, p.ExitCode);
        Assert.StartsWith("infer: ", Assert.Single(p.ErrorLines));
    }

    [Fact]
    public void Usage_errors_name_the_option_and_the_command_whose_help_to_read()
    {
        var missing = CliRun.Infer("classify", "x.png");
        var badValue = CliRun.Infer("eval", "--model", "m.onnx", "--provider", "tpu");
        var unknown = CliRun.Infer("info", "--model", "m.onnx", "--frob");

        Assert.All([missing, badValue, unknown], r => Assert.Equal(1, r.ExitCode));
        missing.AssertOneErrorLineNaming("'--model'", "infer classify --help");
        badValue.AssertOneErrorLineNaming("'--provider'", "infer eval --help");
        unknown.AssertOneErrorLineNaming("'--frob'", "infer info --help");
    }
}
