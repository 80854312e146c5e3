using Toolchain.Data.Text;
using Toolchain.Inference.Cli.Inputs;

namespace Toolchain.Inference.Cli.Tests.Inputs;

public class FeatureRowReaderTests
{
    private static FeatureRow[] Read(string text, int width = 2) =>
        FeatureRowReader.Read(new BoundedLineReader(new StringReader(text)), width).ToArray();

    [Fact]
    public void Commas_spaces_and_tabs_all_separate_values()
    {
        var rows = Read("1,2\n3 4\n5\t6\n 7 ,  8 \n");

        Assert.Equal([[1.0, 2], [3.0, 4], [5.0, 6], [7.0, 8]], rows.Select(r => r.Values!));
        Assert.Equal([1, 2, 3, 4], rows.Select(r => r.Line));
    }

    [Fact]
    public void A_non_numeric_first_line_is_a_header_but_a_later_one_is_an_error()
    {
        var rows = Read("x1,x2\n1,2\nx1,x2\n");

        Assert.Equal(2, rows.Length);
        Assert.Equal(2, rows[0].Line);
        Assert.Equal(new FeatureRow(3, null, "field 1 is not a finite number: 'x1'"), rows[1]);
    }

    [Theory]
    [InlineData("0;0", "field 1 is not a finite number: '0;0'")]
    [InlineData("nan,1", "field 1 is not a finite number: 'nan'")]
    [InlineData("\"1\",\"0\"", "field 1 is not a finite number: '\"1\"'")]
    [InlineData("x1,2", "field 1 is not a finite number: 'x1'")]
    public void A_first_line_with_numbers_or_no_names_is_a_bad_row_not_a_header(string line, string problem)
    {
        var rows = Read($"{line}\n");

        Assert.Equal(new FeatureRow(1, null, problem), Assert.Single(rows));
    }

    [Fact]
    public void Blank_and_comment_lines_are_skipped_but_counted()
    {
        var rows = Read("# points\n\n1,2\n");

        Assert.Equal(3, Assert.Single(rows).Line);
    }

    [Theory]
    [InlineData("1,,2", "field 2 is empty")]
    [InlineData("1,2,3", "expected 2 features, found 3")]
    [InlineData("1,NaN", "field 2 is not a finite number: 'NaN'")]
    [InlineData("1,1e999", "field 2 is not a finite number: '1e999'")]
    public void A_malformed_row_says_what_is_wrong(string line, string problem)
    {
        var rows = Read($"0,0\n{line}\n");

        Assert.Equal(new FeatureRow(2, null, problem), rows[1]);
    }
}
