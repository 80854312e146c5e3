using System.Globalization;
using System.Text;
using Toolchain.Contracts;

namespace Toolchain.Shared.Data.Tables;

/// <summary>
/// A CSV file read as text: its header and rows of fields. The separator is the one of comma, semicolon or tab that
/// the header line holds most often (a tie goes to the first in that order), so a tab-separated header may hold
/// 'weight, kg'; a separator ending every line adds no empty column. Fields may be quoted with double quotes, with "" for a
/// quote inside. Blank lines are skipped. Line numbers are the file's, so errors can point at them.
/// </summary>
/// <param name="Source">The file, for messages.</param>
/// <param name="Header">Column names, trimmed.</param>
/// <param name="Rows">Each data row's 1-based line number and fields (trimmed).</param>
/// <param name="Separator">The separator found.</param>
public sealed record CsvTable(string Source, IReadOnlyList<string> Header, IReadOnlyList<(int Line, string[] Fields)> Rows, char Separator)
{
    /// <summary>Separators accepted, in the order they are looked for in the header.</summary>
    public static readonly char[] Separators = [',', ';', '\t'];

    /// <summary>Longest line accepted; a file without line breaks is not a table and must not be buffered whole.</summary>
    public const int MaxLineLength = 1 << 20;

    /// <summary>Reads <paramref name="path"/>; throws <see cref="InvalidInputFileException"/> with one line when it cannot.</summary>
    public static CsvTable Read(string path)
    {
        try
        {
            using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return Read(reader, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputFileException(path, $"cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Reads a table from <paramref name="reader"/>; <paramref name="source"/> names it in errors.</summary>
    public static CsvTable Read(TextReader reader, string source)
    {
        string[]? header = null;
        char separator = ',';
        var rows = new List<(int, string[])>();
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length > MaxLineLength)
            {
                throw new InvalidInputFileException(source, $"line {lineNumber} is longer than {MaxLineLength:N0} characters; not a CSV table");
            }
            if (line.Contains('\0'))
            {
                throw new InvalidInputFileException(source, "is not a text file (it holds NUL bytes)");
            }
            if (line.Trim().Length == 0)
            {
                continue;
            }
            if (header is null)
            {
                // The separator the header uses most: a tab- or semicolon-separated header may hold a comma inside a
                // name ("weight, kg"); ties go to the earlier of comma, semicolon, tab.
                separator = Separators.OrderByDescending(c => line.Count(x => x == c)).ThenBy(c => Array.IndexOf(Separators, c)).First();
                header = Split(line, separator, source, lineNumber);
                continue;
            }
            rows.Add((lineNumber, Split(line, separator, source, lineNumber)));
        }
        if (header is null)
        {
            throw new InvalidInputFileException(source, "is empty (no header line)");
        }
        (header, rows) = WithoutEmptyTrailingColumns(header, rows);
        var duplicate = header.GroupBy(h => h, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidInputFileException(source, $"has the column '{duplicate.Key}' twice in its header");
        }
        if (header.Any(h => h.Length == 0))
        {
            throw new InvalidInputFileException(source, $"has an empty column name in its header (column {Array.IndexOf(header, "") + 1})");
        }
        return new CsvTable(source, header, rows, separator);
    }

    /// <summary>
    /// Drops columns at the end whose name and every cell are empty: the trailing separator that spreadsheet exports
    /// put on each line. A trailing column with a value anywhere stays (and then fails for its empty name).
    /// </summary>
    private static (string[] Header, List<(int, string[])> Rows) WithoutEmptyTrailingColumns(string[] header, List<(int, string[])> rows)
    {
        int width = header.Length;
        while (width > 1 && header[width - 1].Length == 0 && rows.All(r => r.Item2.Length < width || r.Item2[width - 1].Length == 0))
        {
            width--;
        }
        if (width == header.Length)
        {
            return (header, rows);
        }
        // A row keeps its own width when it is not the header's, so the width check still names it.
        return (header[..width], rows.Select(r => (r.Item1, r.Item2.Length == header.Length ? r.Item2[..width] : r.Item2)).ToList());
    }

    /// <summary>The index of column <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name) => Header.ToList().IndexOf(name);

    /// <summary>Parses a numeric cell with the invariant culture; null when it is not a finite number.</summary>
    public static double? Number(string field) =>
        double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : null;

    private static string[] Split(string line, char separator, string source, int lineNumber)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, wasQuoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.ToString().Trim().Length == 0)
            {
                quoted = wasQuoted = true;
                field.Clear();
            }
            else if (c == separator)
            {
                fields.Add(wasQuoted ? field.ToString() : field.ToString().Trim());
                field.Clear();
                wasQuoted = false;
            }
            else
            {
                field.Append(c);
            }
        }
        if (quoted)
        {
            throw new InvalidInputFileException(source, $"line {lineNumber} has an unclosed quote");
        }
        fields.Add(wasQuoted ? field.ToString() : field.ToString().Trim());
        return fields.ToArray();
    }
}
