using System.Text;
using Spectre.Console;
using Toolchain.Cli;

namespace Toolchain.Inference.Cli.Output;

/// <summary>
/// Where a command writes: results to <see cref="Out"/>, notices and errors to <see cref="Error"/>. Tables and progress
/// are drawn with Spectre.Console only when standard output is a terminal; otherwise they are plain text so that
/// pipes, files and tests get stable output.
/// </summary>
internal sealed class CliConsole
{
    private IAnsiConsole? _rich;

    public CliConsole(TextWriter output, TextWriter error, bool isTerminal, TextReader? input = null)
    {
        In = input ?? Console.In;
        Out = output;
        Error = error;
        IsTerminal = isTerminal;
    }

    /// <summary>Standard input.</summary>
    public TextReader In { get; }

    /// <summary>Standard output.</summary>
    public TextWriter Out { get; }

    /// <summary>Standard error.</summary>
    public TextWriter Error { get; }

    /// <summary>Whether standard output is an interactive terminal.</summary>
    public bool IsTerminal { get; }

    /// <summary>The Spectre console over <see cref="Out"/>; only for terminals.</summary>
    public IAnsiConsole Rich => _rich ??= AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Out) });

    /// <summary>Prints a one-line error prefixed with the program name.</summary>
    public void Fail(string message) => Error.WriteLine($"infer: {Printable(message)}");

    /// <summary>Prints a one-line notice prefixed with the program name.</summary>
    public void Notice(string message) => Error.WriteLine($"infer: {Printable(message)}");

    /// <summary>Prints <paramref name="table"/>: boxed on a terminal, aligned plain text elsewhere.</summary>
    public void Write(TextTable table)
    {
        if (IsTerminal)
        {
            Rich.Write(table.ToSpectre());
        }
        else
        {
            Out.Write(table.ToPlainText());
        }
    }

    /// <summary>
    /// The first line of <paramref name="message"/>: for exception messages whose later lines are detail (ONNX Runtime
    /// appends stack-like context), not for text that may hold a file's bytes, which <see cref="Printable"/> keeps whole.
    /// </summary>
    public static string OneLine(string message)
    {
        var line = message.ReplaceLineEndings("\n").Split('\n', 2)[0].Trim();
        return line.Length == 0 ? "unknown error" : line;
    }

    /// <summary>
    /// <paramref name="message"/> as one line of plain text: control and line-separator characters (which messages can
    /// pick up from the files they describe, such as a PNG chunk type) become <c>\xNN</c> or <c>\uNNNN</c>, so an error is
    /// always exactly one line and never moves the terminal's cursor.
    /// </summary>
    public static string Printable(string message)
    {
        var text = message.Trim();
        return text.Length == 0 ? "unknown error" : TerminalText.Escape(text);
    }
}
