using System.Text.RegularExpressions;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Cli.Tests.Docs;

/// <summary>
/// The README's infer command lines and make targets exist: a renamed flag or a dropped target fails here instead of in
/// a user's terminal (issue 21, "documentation that says what the code does").
/// </summary>
public sealed class ReadmeClaimsTests
{
    [Fact]
    public void Every_infer_command_line_in_the_readme_names_a_command_and_flags_that_exist()
    {
        var lines = ReadmeCommands.Starting("$I ");
        Assert.True(lines.Count >= 10, $"expected the README's infer examples, found {lines.Count}");
        var help = new Dictionary<string, string>();
        var wrong = new List<string>();
        foreach (var line in lines)
        {
            var verb = line.Words[0];
            if (!help.TryGetValue(verb, out var text))
            {
                var r = CliRun.Infer(verb, "--help");
                text = help[verb] = r.Out + r.Error;
                if (text.Contains($"Verb '{verb}' is not recognized", StringComparison.Ordinal))
                {
                    wrong.Add($"README line {line.Number}: infer has no command '{verb}'");
                    continue;
                }
            }
            wrong.AddRange(line.Flags.Where(f => !Regex.IsMatch(text, $@"(^|\s){Regex.Escape(f)}(\s|=|,|$)", RegexOptions.Multiline))
                .Select(f => $"README line {line.Number}: 'infer {verb}' has no flag {f}"));
        }
        Assert.Empty(wrong);
    }

    [Fact]
    public void Every_make_target_the_readme_names_is_defined()
    {
        var makefiles = new[] { Checkout.PathOf("Makefile") }.Concat(Directory.GetFiles(Checkout.PathOf("mk"), "*.mk"));
        var defined = makefiles.SelectMany(File.ReadAllLines)
            .Select(l => Regex.Match(l, @"^([a-z][a-z0-9 -]*?)\s*&?:(?!=)"))
            .Where(m => m.Success)
            .SelectMany(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToHashSet();
        var named = ReadmeCommands.MakeTargets();
        Assert.Contains(named, t => t.Target == "test");
        Assert.Empty(named.Where(t => !defined.Contains(t.Target)).Select(t => $"README line {t.Number}: no make target '{t.Target}'"));
    }
}
