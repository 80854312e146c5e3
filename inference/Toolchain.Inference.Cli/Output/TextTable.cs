using System.Text;
using Spectre.Console;
using Toolchain.Cli;

namespace Toolchain.Inference.Cli.Output;

/// <summary>
/// A titled table of text cells; numeric columns are right-aligned. Cells and headers are escaped as they are added
/// (<see cref="TerminalText"/>): they hold class names, which may hold a newline or a terminal escape sequence.
/// </summary>
internal sealed class TextTable
{
    private readonly List<string[]> _rows = [];

    public TextTable(string? title, params string[] headers)
    {
        Title = title is null ? null : TerminalText.Escape(title);
        Headers = [.. headers.Select(TerminalText.Escape)];
        RightAligned = new bool[headers.Length];
    }

    public string? Title { get; }

    public string[] Headers { get; }

    /// <summary>Which columns are right-aligned (numbers).</summary>
    public bool[] RightAligned { get; }

    public IReadOnlyList<string[]> Rows => _rows;

    /// <summary>Right-aligns every column from <paramref name="first"/> on.</summary>
    public TextTable AlignRightFrom(int first)
    {
        for (var i = first; i < RightAligned.Length; i++)
        {
            RightAligned[i] = true;
        }
        return this;
    }

    public void AddRow(params string[] cells)
    {
        if (cells.Length != Headers.Length)
        {
            throw new ArgumentException($"a row needs {Headers.Length} cells, not {cells.Length}", nameof(cells));
        }
        _rows.Add([.. cells.Select(TerminalText.Escape)]);
    }

    /// <summary>Columns separated by two spaces, a title line first when there is one.</summary>
    public string ToPlainText()
    {
        var widths = Headers.Select((h, i) => _rows.Select(r => r[i].Length).Prepend(h.Length).Max()).ToArray();
        var sb = new StringBuilder();
        if (Title is not null)
        {
            sb.Append(Title).Append('\n');
        }
        sb.Append(FormatLine(Headers, widths, RightAligned)).Append('\n');
        foreach (var r in _rows)
        {
            sb.Append(FormatLine(r, widths, RightAligned)).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>
    /// One line of a plain-text table: <paramref name="cells"/> padded to <paramref name="widths"/> (on the left where
    /// <paramref name="rightAligned"/>), two spaces apart, without trailing spaces. For tables printed as they are
    /// computed, whose widths are fixed before the rows are known.
    /// </summary>
    public static string FormatLine(string[] cells, int[] widths, bool[] rightAligned) =>
        string.Join("  ", cells.Select((c, i) => rightAligned[i] ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd();

    public Table ToSpectre()
    {
        var table = new Table().Border(TableBorder.Rounded);
        if (Title is not null)
        {
            table.Title(Markup.Escape(Title));
        }
        for (var i = 0; i < Headers.Length; i++)
        {
            var column = new TableColumn(Markup.Escape(Headers[i]));
            table.AddColumn(RightAligned[i] ? column.RightAligned() : column);
        }
        foreach (var r in _rows)
        {
            table.AddRow(r.Select(Markup.Escape).ToArray());
        }
        return table;
    }
}
