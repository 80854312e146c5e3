using CommandLine;
using Toolchain.Cli;

namespace Toolchain.Trainer.Cli;

/// <summary>Parses a trainer command's words with the shared <see cref="CliParser"/> and turns its errors into one line.</summary>
public static class CommandArguments
{
    /// <summary>
    /// Parses <paramref name="args"/>. Returns the options, or null after printing help (<see cref="ExitCodes.Ok"/> in
    /// <paramref name="exitCode"/>) or a one-line error naming the bad option (<see cref="ExitCodes.Failed"/>).
    /// </summary>
    public static T? Parse<T>(string command, string[] args, TextWriter output, TextWriter error, out int exitCode,
        string missingValue = "a required argument is missing")
    {
        using var parser = CliParser.Create();
        var result = parser.ParseArguments<T>(args);
        if (result is Parsed<T> parsed)
        {
            exitCode = ExitCodes.Ok;
            return parsed.Value;
        }
        var errors = ((NotParsed<T>)result).Errors.ToList();
        if (CliParser.AsksForHelp(errors))
        {
            output.WriteLine(CliParser.Help(result, $"trainer {command}"));
            exitCode = ExitCodes.Ok;
            return default;
        }
        error.WriteLine($"trainer {command}: {CliParser.Describe(errors[0], missingValue)} (see 'trainer {command} --help')");
        exitCode = ExitCodes.Failed;
        return default;
    }

    /// <summary>
    /// The value of a path option, or null when it was not given. An empty path, or one with a NUL character, is a
    /// <see cref="UsageException"/>: the file APIs would throw an argument error for it.
    /// </summary>
    public static string? PathOption(string flag, string? value) => value switch
    {
        null => null,
        "" => throw new UsageException($"option '{flag}' needs a path, not an empty string"),
        _ when value.Contains('\0') => throw new UsageException($"option '{flag}' has a NUL character in its path"),
        _ => value,
    };
}

/// <summary>A malformed command line found after parsing (exit code <see cref="ExitCodes.Failed"/>).</summary>
public sealed class UsageException : Toolchain.Contracts.ToolchainException
{
    /// <summary>Creates the error; <paramref name="message"/> is one line naming the option.</summary>
    public UsageException(string message) : base(message) { }
}
