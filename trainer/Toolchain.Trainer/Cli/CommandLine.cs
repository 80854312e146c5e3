using System.Globalization;
using CommandLine;
using CommandLine.Text;
using Toolchain.Shared.Cli;

namespace Toolchain.Trainer.Cli;

/// <summary>Parses a command's words with CommandLineParser and turns its errors into one line.</summary>
public static class CommandLine
{
    /// <summary>
    /// Parses <paramref name="args"/>. Returns the options, or null after printing help (<see cref="ExitCodes.Ok"/> in
    /// <paramref name="exitCode"/>) or a one-line error naming the bad option (<see cref="ExitCodes.Failed"/>).
    /// </summary>
    public static T? Parse<T>(string command, string[] args, TextWriter output, TextWriter error, out int exitCode,
        string missingValue = "a required argument is missing")
    {
        using var parser = new Parser(s =>
        {
            s.HelpWriter = null;
            s.CaseSensitive = true;
            s.CaseInsensitiveEnumValues = true;
            s.ParsingCulture = CultureInfo.InvariantCulture;
            s.AutoVersion = false;
        });
        var result = parser.ParseArguments<T>(args);
        if (result is Parsed<T> parsed)
        {
            exitCode = ExitCodes.Ok;
            return parsed.Value;
        }
        var errors = ((NotParsed<T>)result).Errors.ToList();
        if (errors.Any(e => e.Tag is ErrorType.HelpRequestedError or ErrorType.HelpVerbRequestedError))
        {
            var help = HelpText.AutoBuild(result, h =>
            {
                h.Heading = $"trainer {command}";
                h.Copyright = "";
                h.AdditionalNewLineAfterOption = false;
                h.AddDashesToOption = true;
                h.AutoVersion = false;
                h.MaximumDisplayWidth = 110;
                return h;
            }, e => e);
            output.WriteLine(help);
            exitCode = ExitCodes.Ok;
            return default;
        }
        error.WriteLine($"trainer {command}: {Describe(errors[0], missingValue)} (see 'trainer {command} --help')");
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

    private static string Describe(Error e, string missingValue) => e switch
    {
        UnknownOptionError u => $"unknown option '{Dash(u.Token)}'",
        MissingValueOptionError m => $"option '{Name(m.NameInfo)}' needs a value",
        BadFormatConversionError b => $"option '{Name(b.NameInfo)}' has a value of the wrong kind",
        MissingRequiredOptionError r when r.NameInfo.LongName.Length == 0 && r.NameInfo.ShortName.Length == 0 => missingValue,
        MissingRequiredOptionError r => $"'{Name(r.NameInfo)}' is required",
        RepeatedOptionError r => $"option '{Name(r.NameInfo)}' is given more than once",
        BadFormatTokenError t => $"cannot read '{t.Token}'",
        _ => $"cannot read the command line ({e.Tag})",
    };

    private static string Dash(string token) => token.Length == 1 ? "-" + token : "--" + token;

    private static string Name(NameInfo n) => n.LongName.Length > 0 ? "--" + n.LongName : n.ShortName.Length > 0 ? "-" + n.ShortName : n.NameText;
}

/// <summary>A malformed command line found after parsing (exit code <see cref="ExitCodes.Failed"/>).</summary>
public sealed class UsageException : Toolchain.Shared.Errors.ToolchainException
{
    /// <summary>Creates the error; <paramref name="message"/> is one line naming the option.</summary>
    public UsageException(string message) : base(message) { }
}
