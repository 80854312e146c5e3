using System.Text;
using Toolchain.Contracts;
using Toolchain.Data.Tables;
using Toolchain.TestSupport;

namespace Toolchain.Data.Tests.Tables;

/// <summary>
/// Hostile and malformed tables (issue 21, item 6): each is read in bounded memory and ends in one line naming the file,
/// the line and the problem, or is read correctly.
/// </summary>
public sealed class CsvTableTests : IDisposable
{
    private const string Header = "a,b,species\n";
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Write(string name, string text) => WriteBytes(name, Encoding.UTF8.GetBytes(text));

    private string WriteBytes(string name, byte[] bytes)
    {
        var path = _folder.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static List<CsvRow> Rows(string path)
    {
        using var table = CsvTable.Open(path);
        return table.Rows().ToList();
    }

    private static string Refusal(string path) => Assert.Throws<InvalidInputFileException>(() => Rows(path)).Message;

    [Fact]
    public void A_line_without_end_is_refused_at_the_limit_having_read_little_more_than_the_limit()
    {
        // An endless "1,1,1,…" after the header: a 500 MB line or /dev/zero behind a .csv name is the same case.
        var endless = new EndlessReader(Header);
        using var table = CsvTable.Open(endless, "endless.csv");

        var e = Assert.Throws<InvalidInputFileException>(() => table.Rows().ToList());

        Assert.Equal("endless.csv: line 2 is longer than 1 MiB", e.Message);
        Assert.InRange(endless.CharsRead, CsvTable.MaxLineLength, CsvTable.MaxLineLength + (128 * 1024));
    }

    [Fact]
    public void A_sparse_file_of_8_GB_is_refused_at_its_first_NUL_line_without_reading_the_hole()
    {
        var path = Write("hole.csv", Header + "1,2,x\n3,4,y\n");
        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.SetLength(8L << 30); // a hole: no disk, reads as NUL bytes
        }

        Assert.Equal($"{path}: line 4 holds a NUL character (column 1); it is not a text file", Refusal(path));
    }

    [Fact]
    public void Bytes_that_are_not_UTF8_are_refused_with_their_line_and_byte_even_after_the_first_kilobyte()
    {
        var rows = string.Concat(Enumerable.Repeat("1,2,x\n", 400));
        var path = WriteBytes("bad.csv", [.. Encoding.UTF8.GetBytes(Header + rows + "5,6,set"), 0xFF, .. "osa\n"u8]);

        Assert.Equal($"{path}: line 402 is not UTF-8 text (byte 0xFF at column 8)", Refusal(path));
    }

    [Fact]
    public void A_UTF16_file_with_its_byte_order_mark_reads_as_the_same_table()
    {
        var path = WriteBytes("u16.csv", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Header + "1,2,größe\n")]);

        using var table = CsvTable.Open(path);

        Assert.Equal(["a", "b", "species"], table.Header);
        Assert.Equal(["1", "2", "größe"], Assert.Single(table.Rows()).Fields);
    }

    [Fact]
    public void Byte_order_marks_repeated_at_the_start_or_inside_a_field_are_not_part_of_names_or_numbers()
    {
        var path = Write("boms.csv", "\uFEFF\uFEFF" + Header + "1,\uFEFF2,x\n");

        using var table = CsvTable.Open(path);

        Assert.Equal(["a", "b", "species"], table.Header);
        Assert.Equal(2.0, CsvTable.Number(Assert.Single(table.Rows()).Fields[1]));
    }

    [Fact]
    public void A_quoted_field_may_span_lines_and_line_numbers_stay_the_files()
    {
        var path = Write("multi.csv", Header + "1,2,\"set\r\nosa\"\n3,4,y\n");

        var rows = Rows(path);

        Assert.Equal([(2, "set\nosa"), (4, "y")], rows.Select(r => (r.Line, r.Fields[2])));
    }

    [Fact]
    public void An_unclosed_quote_names_the_line_it_opens_on()
    {
        var path = Write("open.csv", Header + "1,2,x\n\"3,4,y\n5,6,x\n");

        Assert.Equal($"{path}: line 3 has an unclosed quote (the quoted field runs to the end of the file)", Refusal(path));
    }

    [Fact]
    public void An_unclosed_quote_in_a_large_file_stops_at_the_limit_not_at_the_end()
    {
        var path = Write("open-big.csv", Header + "\"1,2,x\n" + string.Concat(Enumerable.Repeat("1,2,x\n", 200_000)));

        Assert.Equal($"{path}: line 2 has a quoted field longer than 1 MiB (an unclosed quote?)", Refusal(path));
    }

    [Fact]
    public void A_quote_inside_an_unquoted_field_is_a_character_and_many_of_them_cost_linear_time()
    {
        var quotes = new string('"', 500_000);
        var path = Write("inches.csv", "height,x\n5'11\",1\nx" + quotes + ",2\n\"a\"\"b\",3\n");

        var rows = Rows(path);

        Assert.Equal("5'11\"", rows[0].Fields[0]);
        Assert.Equal("x" + quotes, rows[1].Fields[0]);
        Assert.Equal("a\"b", rows[2].Fields[0]);
    }

    [Theory]
    [InlineData("", "is empty (no header line)")]
    [InlineData("\n \n\t\n", "is empty (no header line)")]
    [InlineData("a,a,b\n1,2,3\n", "has the column 'a' twice in its header (columns 1 and 2)")]
    [InlineData("a,,b\n1,2,3\n", "has an empty column name in its header (column 2)")]
    public void A_bad_header_is_one_line(string text, string problem)
    {
        var path = Write("h.csv", text);

        Assert.Equal($"{path}: {problem}", Assert.Throws<InvalidInputFileException>(() => CsvTable.Open(path)).Message);
    }

    [Fact]
    public void Only_a_header_is_a_table_without_rows_for_training()
    {
        var path = Write("header-only.csv", Header);

        var e = Assert.Throws<InvalidInputFileException>(() => TableDataset.Load(path, null, 0.5, 0));

        Assert.Equal($"{path}: has a header but no rows", e.Message);
    }

    [Fact]
    public void A_path_that_is_a_folder_a_device_or_missing_is_refused_before_reading()
    {
        Assert.Equal($"{_folder.Path}: is a directory, not a CSV file", Assert.Throws<InvalidInputFileException>(() => CsvTable.Open(_folder.Path)).Message);
        Assert.Equal("/dev/zero: is a character device, not a regular file", Assert.Throws<InvalidInputFileException>(() => CsvTable.Open("/dev/zero")).Message);
        var missing = _folder.File("none.csv");
        Assert.Equal($"{missing}: no such file", Assert.Throws<InvalidInputFileException>(() => CsvTable.Open(missing)).Message);
    }

    [Fact]
    public void Forty_thousand_columns_are_matched_by_name_in_any_order()
    {
        const int width = 40_000;
        var names = Enumerable.Range(0, width).Select(i => $"c{i}").ToArray();
        var path = Write("wide.csv", string.Join(',', names) + ",label\n" + string.Join(',', Enumerable.Range(0, width)) + ",x\n");
        var wanted = names.Reverse().ToArray();

        using var table = CsvTable.Open(path);
        var columns = TableDataset.ColumnsOf(table, wanted);

        Assert.Equal(Enumerable.Range(0, width).Reverse(), columns);
    }

    [Fact]
    public void A_message_about_a_wide_header_names_a_few_columns_and_counts_them()
    {
        var path = Write("wide.csv", string.Join(',', Enumerable.Range(0, 100_000).Select(i => $"c{i}")) + "\n");

        using var table = CsvTable.Open(path);
        var e = Assert.Throws<InvalidInputFileException>(() => TableDataset.ColumnsOf(table, ["nope"]));

        Assert.Contains("'nope'", e.Message, StringComparison.Ordinal);
        Assert.Contains("c0, c1, c2", e.Message, StringComparison.Ordinal);
        Assert.Contains("(100,000 in all)", e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Length < 400, e.Message);
    }

    [Fact]
    public void A_label_column_with_a_value_per_row_is_named_as_the_likely_mistake()
    {
        var path = Write("ids.csv", "x,id\n" + string.Concat(Enumerable.Range(0, 500).Select(i => $"{i},row{i}\n")));

        var e = Assert.Throws<ToolchainException>(() => TableDataset.Load(path, null, 0.2, 0));

        Assert.Equal($"{path}: the label column 'id' has 500 different values in 500 rows, too few rows per class to split 0.2 off for testing (--label-column chooses another column)", e.Message);
    }

    /// <summary>A header, then "1," for ever; counts what was read.</summary>
    private sealed class EndlessReader(string head) : TextReader
    {
        public long CharsRead { get; private set; }

        public override int Read(char[] buffer, int index, int count)
        {
            for (int i = 0; i < count; i++)
            {
                var at = CharsRead + i;
                buffer[index + i] = at < head.Length ? head[(int)at] : (at - head.Length) % 2 == 0 ? '1' : ',';
            }
            CharsRead += count;
            return count;
        }
    }
}
