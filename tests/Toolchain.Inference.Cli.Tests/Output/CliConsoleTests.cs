using Toolchain.Inference.Cli.Output;

namespace Toolchain.Inference.Cli.Tests.Output;

/// <summary>
/// The sentences here are the tests' own input, not the CLI's wording: the whole output is compared because the exact
/// escaping, prefix, trimming and newline are the behaviour under test.
/// </summary>
public class CliConsoleTests
{
    private static string Failed(string message)
    {
        var error = new StringWriter { NewLine = "\n" };
        new CliConsole(TextWriter.Null, error, isTerminal: false).Fail(message);
        return error.ToString();
    }

    [Fact]
    public void Fail_writes_control_characters_from_a_file_as_escapes_so_one_error_stays_one_line()
    {
        Assert.Equal("infer: x.png: is truncated (PNG chunk AB\\x0AC\\x1B[2J\\x00 runs past the end)\n",
            Failed("x.png: is truncated (PNG chunk AB\nC\u001b[2J\0 runs past the end)"));
    }

    [Fact]
    public void Fail_escapes_carriage_returns_tabs_and_unicode_line_separators_too()
    {
        Assert.Equal("infer: a\\x0Db\\x09c\\u2028d\\x85e\n", Failed("a\rb\tc\u2028d\u0085e"));
    }

    [Fact]
    public void Fail_keeps_ordinary_text_and_non_ascii_names_as_they_are_and_trims_the_ends()
    {
        Assert.Equal("infer: ünïcødé 数字.png: no such file\n", Failed("  ünïcødé 数字.png: no such file\n"));
    }

    [Fact]
    public void Notice_is_made_printable_the_same_way()
    {
        var error = new StringWriter { NewLine = "\n" };

        new CliConsole(TextWriter.Null, error, isTerminal: false).Notice("two\nlines");

        Assert.Equal("infer: two\\x0Alines\n", error.ToString());
    }
}
