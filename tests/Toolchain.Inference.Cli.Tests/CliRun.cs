namespace Toolchain.Inference.Cli.Tests;

/// <summary>What one in-process run of <c>infer</c> printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    public string[] OutLines => Lines(Out);

    public string[] ErrorLines => Lines(Error);

    /// <summary>
    /// Stderr is one "infer: " line holding each of <paramref name="facts"/> (the input's name, the option, the numbers);
    /// the exact wording is pinned only in <c>InferMessageWordingTests</c>.
    /// </summary>
    public void AssertOneErrorLineNaming(params string[] facts)
    {
        var line = Assert.Single(ErrorLines);
        Assert.StartsWith("infer: ", line);
        Assert.All(facts, fact => Assert.Contains(fact, line));
    }

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
