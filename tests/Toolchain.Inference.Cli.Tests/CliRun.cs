namespace Toolchain.Inference.Cli.Tests;

/// <summary>What one in-process run of <c>infer</c> printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    public string[] OutLines => Lines(Out);

    public string[] ErrorLines => Lines(Error);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Runs the CLI in-process with its own writers, so parallel tests never share the console.</summary>
internal static class CliRun
{
    public static CliResult Infer(params string[] args) => InferWithInput(null, args);

    public static CliResult InferWithInput(string? stdin, params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var code = InferCli.Run(args, output, error, isTerminal: false, input: stdin is null ? TextReader.Null : new StringReader(stdin));
        return new CliResult(code, output.ToString(), error.ToString());
    }
}
