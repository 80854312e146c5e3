using System.Globalization;
using CommandLine;
using CommandLine.Text;

namespace Toolchain.Cli;

/// <summary>
/// The CommandLineParser set-up of both CLIs, <c>trainer</c> and <c>infer</c>: one parser configuration, one way to
/// turn a parse error into a short phrase and one help layout, so the two tools read and answer the same way.
/// </summary>
public static class CliParser
{
    /// <summary>Width help text is wrapped to; wide enough that the trainer's option descriptions mostly fit on one line.</summary>
    public const int HelpWidth = 110;

    /// <summary>
    /// A parser for a CLI command line; the caller disposes it. It prints nothing itself: help and errors are rendered
    /// by the caller (<see cref="Help{T}"/>, <see cref="Describe"/>) so that an error is one line on standard error.
    /// </summary>
    /// <param name="autoVersion">Whether <c>--version</c> (and the <c>version</c> verb) is recognised.</param>
    public static Parser Create(bool autoVersion = false) => new(s =>
    {
        s.HelpWriter = null;
        s.CaseSensitive = true;
        s.CaseInsensitiveEnumValues = true;
        // Numbers on the command line are read the same way whatever the user's locale ("--lr 0.5").
        s.ParsingCulture = CultureInfo.InvariantCulture;
        s.AutoVersion = autoVersion;
        s.MaximumDisplayWidth = HelpWidth;
    });

    /// <summary>Whether the parse "failed" only because help was asked for (<c>--help</c>, <c>help VERB</c>).</summary>
    public static bool AsksForHelp(IEnumerable<Error> errors) =>
        errors.Any(e => e.Tag is ErrorType.HelpRequestedError or ErrorType.HelpVerbRequestedError);

    /// <summary>
    /// The help text for <paramref name="result"/> under <paramref name="heading"/>: the options of the parsed verb, or
    /// with <paramref name="verbsIndex"/> the list of verbs. <paramref name="listErrors"/> adds the parse errors under
    /// an <c>ERROR(S):</c> heading, for commands that answer a bad command line with their whole usage.
    /// <paramref name="autoVersion"/> lists <c>--version</c>, and must be what the parser was created with.
    /// </summary>
    public static string Help<T>(ParserResult<T> result, string heading, bool verbsIndex = false, bool listErrors = false, bool autoVersion = false)
    {
        return HelpText.AutoBuild(result, h =>
        {
            h.Heading = heading;
            h.Copyright = "";
            h.AddDashesToOption = true;
            h.AdditionalNewLineAfterOption = false;
            h.MaximumDisplayWidth = HelpWidth;
            h.AutoVersion = autoVersion;
            return listErrors ? HelpText.DefaultParsingErrorsHandler(result, h) : h;
        }, e => e, verbsIndex, HelpWidth);
    }

    /// <summary>
    /// A parse error as a short phrase naming the option, e.g. <c>unknown option '--epohcs'</c> or
    /// <c>'--model' is required</c>. <paramref name="missingValue"/> is said when a required positional argument is
    /// missing, which has no option name to point at.
    /// </summary>
    public static string Describe(Error error, string missingValue = "a required argument is missing") => error switch
    {
        UnknownOptionError u => $"unknown option '{Dash(u.Token)}'",
        MissingValueOptionError m => $"option '{Name(m.NameInfo)}' needs a value",
        BadFormatConversionError b => $"option '{Name(b.NameInfo)}' has a value of the wrong kind",
        MissingRequiredOptionError r when r.NameInfo.LongName.Length == 0 && r.NameInfo.ShortName.Length == 0 => missingValue,
        MissingRequiredOptionError r => $"'{Name(r.NameInfo)}' is required",
        RepeatedOptionError r => $"option '{Name(r.NameInfo)}' is given more than once",
        BadFormatTokenError t => $"cannot read '{t.Token}'",
        BadVerbSelectedError v => $"unknown command '{v.Token}'",
        // The library's own sentence for the rarer errors (a setter that threw, a value list out of range, ...).
        _ => SentenceBuilder.Create().FormatError(error),
    };

    private static string Dash(string token) => token.Length == 1 ? "-" + token : "--" + token;

    private static string Name(NameInfo n) => n.LongName.Length > 0 ? "--" + n.LongName : n.ShortName.Length > 0 ? "-" + n.ShortName : n.NameText;
}
