using System.Globalization;
using Toolchain.Contracts;
using Toolchain.Data.Text;
using Toolchain.Imaging;

namespace Toolchain.Data.Tables;

/// <summary>A data row of a CSV table: the file's line number where it starts, and its fields.</summary>
/// <param name="Line">The 1-based line of the file the row starts on.</param>
/// <param name="Fields">The fields: trimmed of white space unless quoted.</param>
public readonly record struct CsvRow(int Line, string[] Fields);

/// <summary>
/// A CSV file read as a stream of rows: its header is read on opening, the rows one at a time by <see cref="Rows"/>,
/// so a table costs memory for one row, not for the file. The separator is whichever of comma, semicolon or tab the
/// header line holds most often (ties go to the earlier of them), so a tab-separated header may hold "weight, kg".
/// Fields may be quoted with double quotes, with "" for a quote inside; a quoted field may span lines. Blank lines are
/// skipped; white space and stray byte-order marks around a field are not part of it. Line numbers are the file's.
/// Every problem is an <see cref="InvalidInputFileException"/> with one line naming the file and, where there is one,
/// the line: a line or quoted field over <see cref="MaxLineLength"/>, a NUL byte, bytes that are not UTF-8, an unclosed
/// quote, a header with a duplicate or empty column name.
/// </summary>
public sealed class CsvTable : IDisposable
{
    /// <summary>Separators accepted, in the order ties between them are settled.</summary>
    public static readonly char[] Separators = [',', ';', '\t'];

    /// <summary>Longest line (or quoted field spanning lines) accepted: no table has such lines, and one is never buffered whole.</summary>
    public const int MaxLineLength = BoundedLineReader.DefaultMaxLength;

    private readonly BoundedLineReader _lines;
    private readonly Dictionary<string, int> _columns;
    private readonly CsvFieldSplitter _splitter;
    private readonly int _rawWidth;
    private bool _rowsRead;

    private CsvTable(BoundedLineReader lines, string source)
    {
        _lines = lines;
        Source = source;
        var first = ReadRecordStart();
        if (first is null)
        {
            throw new InvalidInputFileException(source, "is empty (no header line)");
        }
        // The separator the header uses most: a tab- or semicolon-separated header may hold a comma inside a name
        // ("weight, kg"); ties go to the earlier of comma, semicolon, tab.
        Separator = Separators.OrderByDescending(c => first.Count(x => x == c)).ThenBy(c => Array.IndexOf(Separators, c)).First();
        _splitter = new CsvFieldSplitter(Separator);
        HeaderLine = _lines.LineNumber;
        var header = ReadRecord(first, HeaderLine);
        _rawWidth = header.Length;
        // A separator at the end of every line, as spreadsheets export, gives unnamed empty columns at the end: they are
        // not columns (a row with a value in one is refused by Rows).
        int width = header.Length;
        while (width > 1 && header[width - 1].Length == 0)
        {
            width--;
        }
        Header = header[..width];
        _columns = new Dictionary<string, int>(width, StringComparer.Ordinal);
        for (int i = 0; i < Header.Count; i++)
        {
            if (Header[i].Length == 0)
            {
                throw new InvalidInputFileException(source, $"has an empty column name in its header (column {i + 1})");
            }
            if (!_columns.TryAdd(Header[i], i))
            {
                throw new InvalidInputFileException(source, $"has the column '{Shorten(Header[i])}' twice in its header (columns {_columns[Header[i]] + 1} and {i + 1})");
            }
        }
    }

    /// <summary>The file, for messages.</summary>
    public string Source { get; }

    /// <summary>Column names, trimmed, without the unnamed empty columns a trailing separator makes.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>The separator found.</summary>
    public char Separator { get; }

    /// <summary>The line the header starts on.</summary>
    public int HeaderLine { get; }

    /// <summary>
    /// Opens <paramref name="path"/> and reads its header. A path that is missing, a folder, a device or a pipe, or
    /// cannot be read, is refused with one line before anything is read.
    /// </summary>
    public static CsvTable Open(string path)
    {
        var problem = FileKindProbe.Of(path) switch
        {
            FileKind.Missing => "no such file",
            FileKind.Directory => "is a directory, not a CSV file",
            _ => FileKindProbe.NotRegularProblem(path),
        };
        if (problem is not null)
        {
            throw new InvalidInputFileException(path, problem);
        }
        BoundedLineReader lines;
        try
        {
            lines = BoundedLineReader.OpenFile(path, MaxLineLength);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputFileException(path, $"cannot be read: {e.Message}", e);
        }
        try
        {
            return new CsvTable(lines, path);
        }
        catch
        {
            lines.Dispose();
            throw;
        }
    }

    /// <summary>Reads a table from <paramref name="reader"/> (left open); <paramref name="source"/> names it in errors.</summary>
    public static CsvTable Open(TextReader reader, string source) => new(new BoundedLineReader(reader, MaxLineLength), source);

    /// <summary>The index of column <paramref name="name"/>, or -1; a dictionary lookup, so matching n columns costs O(n).</summary>
    public int IndexOf(string name) => _columns.TryGetValue(name, out var i) ? i : -1;

    /// <summary>
    /// The data rows, read as they are enumerated; a table can be enumerated once. A row's width is not checked here
    /// (callers decide whether a short row ends the run or is reported and skipped), except that a value in an unnamed
    /// trailing column is refused.
    /// </summary>
    public IEnumerable<CsvRow> Rows()
    {
        if (_rowsRead)
        {
            throw new InvalidOperationException("a CSV table's rows can be read once");
        }
        _rowsRead = true;
        return ReadRows();
    }

    private IEnumerable<CsvRow> ReadRows()
    {
        while (ReadRecordStart() is { } first)
        {
            var line = _lines.LineNumber;
            var fields = ReadRecord(first, line);
            if (fields.Length == _rawWidth && _rawWidth > Header.Count)
            {
                for (int i = Header.Count; i < fields.Length; i++)
                {
                    if (fields[i].Length > 0)
                    {
                        throw new InvalidInputFileException(Source, $"line {line}: column {i + 1} holds '{Shorten(fields[i])}' but has no name in the header");
                    }
                }
                fields = fields[..Header.Count];
            }
            yield return new CsvRow(line, fields);
        }
    }

    /// <summary>Parses a numeric cell with the invariant culture; null when it is not a finite number.</summary>
    public static double? Number(string field) =>
        double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : null;

    /// <summary>
    /// Names for a one-line message: the first few, each shortened, and how many there are in all, so a header of
    /// 100,000 columns does not make a 700 KB error line.
    /// </summary>
    public static string NameList(IEnumerable<string> names, int shown = 10)
    {
        var list = names as IReadOnlyCollection<string> ?? names.ToList();
        var text = string.Join(", ", list.Take(shown).Select(Shorten));
        return list.Count > shown ? string.Create(CultureInfo.InvariantCulture, $"{text}, … ({list.Count:N0} in all)") : text;
    }

    /// <summary>A cell or name cut to 30 characters for a message.</summary>
    public static string Shorten(string s) => s.Length <= 30 ? s : s[..30] + "…";

    /// <inheritdoc />
    public void Dispose() => _lines.Dispose();

    /// <summary>The first line of the next record, skipping blank lines; null at the end of the file.</summary>
    private string? ReadRecordStart()
    {
        while (Next() is { } line)
        {
            if (!CsvFieldSplitter.IsBlank(line))
            {
                return line;
            }
        }
        return null;
    }

    /// <summary>The fields of the record starting with <paramref name="first"/>, reading further lines while a quote is open.</summary>
    private string[] ReadRecord(string first, int startLine)
    {
        _splitter.Start();
        var line = first;
        long length = first.Length;
        while (!_splitter.Feed(line))
        {
            line = Next() ?? throw new InvalidInputFileException(Source, _lines.LineNumber == startLine
                ? $"line {startLine} has an unclosed quote"
                : $"line {startLine} has an unclosed quote (the quoted field runs to the end of the file)");
            length += line.Length + 1;
            if (length > MaxLineLength)
            {
                throw new InvalidInputFileException(Source, $"line {startLine} has a quoted field longer than {BoundedLineReader.Describe(MaxLineLength)} (an unclosed quote?)");
            }
        }
        return _splitter.Finish();
    }

    private string? Next()
    {
        try
        {
            return _lines.ReadLine();
        }
        catch (InvalidDataException e)
        {
            throw new InvalidInputFileException(Source, e.Message, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputFileException(Source, $"cannot be read: {e.Message}", e);
        }
    }
}
