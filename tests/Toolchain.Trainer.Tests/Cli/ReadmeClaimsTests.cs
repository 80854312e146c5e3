using System.Text.RegularExpressions;
using Toolchain.TestSupport;
using Toolchain.Trainer.Tests.Onnx;

namespace Toolchain.Trainer.Tests.Cli;

/// <summary>
/// The README's trainer command lines name commands and flags that exist (issue 21, "documentation that says what the
/// code does"): each command's --help, printed by the real trainer process, must list every flag the README uses with it.
/// </summary>
public sealed class ReadmeClaimsTests
{
    [Fact]
    public void Every_trainer_command_line_in_the_readme_names_a_command_and_flags_that_exist()
    {
        var lines = ReadmeCommands.Starting("dotnet $T ");
        Assert.True(lines.Count >= 5, $"expected the README's trainer examples, found {lines.Count}");
        var help = new Dictionary<string, string>();
        var wrong = new List<string>();
        foreach (var line in lines)
        {
            // 'data' has sub-commands ('data info DIR') and so does 'train transfer', with flags of its own; the others
            // are one word ('train cnn', 'export').
            var command = line.Words[0] == "data" || (line.Words[0] == "train" && line.Words.ElementAtOrDefault(1) == "transfer")
                ? $"{line.Words[0]} {line.Words[1]}"
                : line.Words[0];
            if (!help.TryGetValue(command, out var text))
            {
                var (code, stdout, stderr) = Child.Trainer([.. command.Split(' '), "--help"]);
                text = help[command] = stdout + stderr;
                if (code != 0 && !text.Contains("--", StringComparison.Ordinal))
                {
                    wrong.Add($"README line {line.Number}: 'trainer {command} --help' failed: {stderr.Trim()}");
                    continue;
                }
            }
            wrong.AddRange(line.Flags.Where(f => !Regex.IsMatch(text, $@"(^|\s){Regex.Escape(f)}(\s|=|,|$)", RegexOptions.Multiline))
                .Select(f => $"README line {line.Number}: 'trainer {command}' has no flag {f}"));
        }
        Assert.Empty(wrong);
    }
}
