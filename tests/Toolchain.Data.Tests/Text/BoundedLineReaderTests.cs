using Toolchain.Data.Text;
using Toolchain.TestSupport;

namespace Toolchain.Data.Tests.Text;

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

    [Fact]
    public void A_NUL_character_is_refused_with_its_line_and_column_before_the_length_limit_is_reached()
    {
        // A sparse file's hole: a text head, then NULs without a line break; refused at once, not after 1 MiB.
        var reader = new BoundedLineReader(new StringReader("a,b\n1," + new string('\0', 100_000)), 1 << 20);

        Assert.Equal("a,b", reader.ReadLine());
        var e = Assert.Throws<InvalidDataException>(() => reader.ReadLine());
        Assert.Equal("line 2 holds a NUL character (column 3); it is not a text file", e.Message);
    }

    [Fact]
    public void Line_numbers_count_the_lines_returned()
    {
        var reader = new BoundedLineReader(new StringReader("a\r\n\nb"));

        Assert.Equal(0, reader.LineNumber);
        reader.ReadLine();
        reader.ReadLine();
        Assert.Equal("b", reader.ReadLine());
        Assert.Equal(3, reader.LineNumber);
        Assert.Null(reader.ReadLine());
    }

    [Fact]
    public void A_file_with_bytes_that_are_not_UTF8_names_the_line_the_byte_and_its_column_even_past_the_first_buffer()
    {
        using var folder = new TempFolder();
        var head = string.Concat(Enumerable.Repeat("1.0,2.0,a\n", 5000)); // 50 KB: several decoder buffers before the bad byte
        File.WriteAllBytes(folder.File("t.csv"), [.. System.Text.Encoding.UTF8.GetBytes(head + "3.5,se"), 0xFF, (byte)'t', (byte)'\n']);

        using var reader = BoundedLineReader.OpenFile(folder.File("t.csv"));
        var e = Assert.Throws<InvalidDataException>(() => ReadAll(reader));

        Assert.Equal("line 5001 is not UTF-8 text (byte 0xFF at column 7)", e.Message);
    }

    [Fact]
    public void Valid_multibyte_UTF8_a_replacement_character_and_private_use_characters_are_text()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("t.csv"), "größe,\uFFFD,\uF7FF,日本,😀\n");

        using var reader = BoundedLineReader.OpenFile(folder.File("t.csv"));

        Assert.Equal(["größe,\uFFFD,\uF7FF,日本,😀"], ReadAll(reader));
    }

    [Theory]
    [InlineData("utf-8-bom")]
    [InlineData("utf-16le")]
    [InlineData("utf-16be")]
    [InlineData("utf-32le")]
    public void A_byte_order_mark_is_skipped_and_chooses_the_encoding(string kind)
    {
        using var folder = new TempFolder();
        System.Text.Encoding encoding = kind switch
        {
            "utf-8-bom" => new System.Text.UTF8Encoding(true),
            "utf-16le" => new System.Text.UnicodeEncoding(false, true),
            "utf-16be" => new System.Text.UnicodeEncoding(true, true),
            _ => new System.Text.UTF32Encoding(false, true),
        };
        File.WriteAllBytes(folder.File("t.csv"), [.. encoding.GetPreamble(), .. encoding.GetBytes("x,größe\r\n1,2\r\n")]);

        using var reader = BoundedLineReader.OpenFile(folder.File("t.csv"));

        Assert.Equal(["x,größe", "1,2"], ReadAll(reader));
    }

    private static List<string> ReadAll(BoundedLineReader reader)
    {
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }
        return lines;
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
