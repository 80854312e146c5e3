using System.Text.RegularExpressions;

namespace Toolchain.TestSupport;

/// <summary>
/// The command lines the README shows in its code blocks, so tests can check that every command and flag it names
/// exists (issue 21: documentation that says what the code does).
/// </summary>
public static partial class ReadmeCommands
{
    /// <summary>One command line: its 1-based README line, the words after the program, and the long flags it names.</summary>
    public sealed record Line(int Number, string Text, IReadOnlyList<string> Words, IReadOnlyList<string> Flags);

    /// <summary>
    /// The lines inside ``` blocks of README.md that start with <paramref name="program"/> (e.g. "$I " or "dotnet $T "),
    /// with '# comments' and [optional] brackets taken off.
    /// </summary>
    public static IReadOnlyList<Line> Starting(string program)
    {
        var lines = File.ReadAllLines(Checkout.PathOf("README.md"));
        var found = new List<Line>();
        var inBlock = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var text = lines[i].Trim();
            if (text.StartsWith("```", StringComparison.Ordinal))
            {
                inBlock = !inBlock;
                continue;
            }
            if (!inBlock || !text.StartsWith(program, StringComparison.Ordinal))
            {
                continue;
            }
            var command = text[program.Length..];
            var comment = command.IndexOf(" #", StringComparison.Ordinal);
            if (comment >= 0)
            {
                command = command[..comment];
            }
            var words = command.Replace("[", " ").Replace("]", " ").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var flags = words.Select(w => Flag().Match(w)).Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct().ToList();
            found.Add(new Line(i + 1, text, words, flags));
        }
        return found;
    }

    /// <summary>The make targets named in README.md, in code blocks ("make x y") and in prose ("`make x`").</summary>
    public static IReadOnlyList<(int Number, string Target)> MakeTargets()
    {
        var lines = File.ReadAllLines(Checkout.PathOf("README.md"));
        var found = new List<(int, string)>();
        for (var i = 0; i < lines.Length; i++)
        {
            foreach (Match m in MakeCommand().Matches(lines[i]))
            {
                foreach (var word in m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).TakeWhile(w => !w.Contains('=')))
                {
                    found.Add((i + 1, word));
                }
            }
        }
        return found;
    }

    [GeneratedRegex(@"^(--[a-z][a-z0-9-]*)(=.*)?$")]
    private static partial Regex Flag();

    // "make" at the start of a line or after a backtick, then target words (letters, digits, '-'; VAR=value ends them).
    [GeneratedRegex(@"(?:^\s*|`)make((?: +[a-z][a-z0-9-]*(?![A-Za-z0-9_=]))+)")]
    private static partial Regex MakeCommand();
}
