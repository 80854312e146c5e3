using Toolchain.Inference.Cli.Inputs;

namespace Toolchain.Inference.Cli.Tests.Inputs;

public class BoundedLineReaderTests
{
    private static List<string> ReadAll(string text, int max = 100)
    {
        var reader = new BoundedLineReader(new StringReader(text), max);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }
        return lines;
    }

    [Theory]
    [InlineData("a\nb\n")]
    [InlineData("a\r\nb\r\n")]
    [InlineData("a\rb\r")]
    [InlineData("a\nb")]
    public void Lines_end_at_newline_crlf_or_carriage_return_and_the_last_needs_no_ending(string text)
    {
        Assert.Equal(["a", "b"], ReadAll(text));
    }

    [Fact]
    public void Empty_lines_are_kept_as_text_reader_keeps_them()
    {
        const string text = "a\n\n\r\n\rb\n";

        Assert.Equal(ReadAll(text), ReadLinesOf(text));
        Assert.Equal(["a", "", "", "", "b"], ReadAll(text));
    }

    [Fact]
    public void A_line_as_long_as_the_limit_is_read()
    {
        Assert.Equal([new string('7', 100), "1"], ReadAll(new string('7', 100) + "\n1\n"));
    }

    [Fact]
    public void A_line_longer_than_the_limit_is_refused_with_its_line_number_without_reading_the_rest()
    {
        var reader = new BoundedLineReader(new StringReader("1,2\n" + new string('0', 5000)), 1024);

        Assert.Equal("1,2", reader.ReadLine());
        var e = Assert.Throws<InvalidDataException>(() => reader.ReadLine());
        Assert.Contains("line 2", e.Message);
        Assert.Contains("1 KiB", e.Message);
    }

    [Fact]
    public void The_default_limit_is_1_MiB()
    {
        var reader = new BoundedLineReader(new StringReader(new string('0', (1 << 20) + 1)), BoundedLineReader.DefaultMaxLength);

        var e = Assert.Throws<InvalidDataException>(() => reader.ReadLine());
        Assert.Contains("line 1", e.Message);
        Assert.Contains("1 MiB", e.Message);
    }

    private static List<string> ReadLinesOf(string text)
    {
        var reader = new StringReader(text);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }
        return lines;
    }
}
