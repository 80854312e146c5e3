using Toolchain.Trainer.Cli;

namespace Toolchain.Trainer.Tests.Cli;

/// <summary>--data-dir and --input are declared once (IDataDirOption, IExportInputOption) and read alike by train and export.</summary>
public class SharedOptionTests
{
    private static (int Code, string Out, string Err) Run(string command, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = command == "train"
            ? TrainCommand.Run(args, output, error, CancellationToken.None)
            : ExportCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("train")]
    [InlineData("export")]
    public void Both_commands_list_each_shared_option_once(string command)
    {
        var (code, output, _) = Run(command, "--help");

        Assert.Equal(0, code);
        var lines = output.Split('\n');
        Assert.Single(lines, l => l.TrimStart().StartsWith("--data-dir ", StringComparison.Ordinal));
        Assert.Single(lines, l => l.TrimStart().StartsWith("--input ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("train", new[] { "xor", "--no-export" })]
    [InlineData("export", new[] { "--checkpoint", "/nowhere/checkpoint.ckpt" })]
    public void Both_commands_refuse_the_same_bad_values_before_any_work(string command, string[] start)
    {
        var emptyDataDir = Run(command, [.. start, "--data-dir", ""]);
        var badInput = Run(command, [.. start, "--input", "int8"]);

        Assert.Equal((1, 1), (emptyDataDir.Code, badInput.Code));
        TrainCommandTests.OneLineNaming(emptyDataDir.Err, command, "'--data-dir'", "empty");
        TrainCommandTests.OneLineNaming(badInput.Err, command, "--input", "float or uint8", "'int8'");
    }
}
