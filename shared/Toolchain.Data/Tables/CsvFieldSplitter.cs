using System.Text;

namespace Toolchain.Data.Tables;

/// <summary>
/// Splits the lines of one CSV record into fields, keeping its state across lines so a quoted field may hold line
/// breaks. A quote opens a quoted field only at the field's start (after white space); elsewhere it is a character of
/// the field (5'11"). "" inside a quoted field is one quote. Unquoted fields are trimmed of white space and of
/// byte-order marks, which files glued together carry in their middle. Linear in the record's length.
/// </summary>
internal sealed class CsvFieldSplitter(char separator)
{
    private readonly List<string> _fields = [];
    private readonly StringBuilder _field = new();
    private bool _quoted;
    private bool _wasQuoted;
    private bool _hasText;

    /// <summary>Whether <paramref name="line"/> holds nothing but white space and byte-order marks.</summary>
    public static bool IsBlank(string line)
    {
        foreach (var c in line)
        {
            if (!IsSpace(c))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Begins a record.</summary>
    public void Start()
    {
        _fields.Clear();
        _field.Clear();
        _quoted = _wasQuoted = _hasText = false;
    }

    /// <summary>
    /// Adds a line of the record; returns false when it ends inside a quoted field, so the next line continues that
    /// field (after a line break).
    /// </summary>
    public bool Feed(string line)
    {
        if (_quoted)
        {
            _field.Append('\n');
        }
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (_quoted)
            {
                if (c != '"')
                {
                    _field.Append(c);
                }
                else if (i + 1 < line.Length && line[i + 1] == '"')
                {
                    _field.Append('"');
                    i++;
                }
                else
                {
                    _quoted = false;
                }
            }
            else if (c == '"' && !_hasText && !_wasQuoted)
            {
                _quoted = _wasQuoted = true;
                _field.Clear();
            }
            else if (c == separator)
            {
                EndField();
            }
            else
            {
                _field.Append(c);
                _hasText |= !IsSpace(c);
            }
        }
        return !_quoted;
    }

    /// <summary>The record's fields.</summary>
    public string[] Finish()
    {
        EndField();
        return [.. _fields];
    }

    private void EndField()
    {
        _fields.Add(_wasQuoted ? _field.ToString() : Trim(_field));
        _field.Clear();
        _wasQuoted = _hasText = false;
    }

    private static string Trim(StringBuilder field)
    {
        int start = 0, end = field.Length;
        while (start < end && IsSpace(field[start]))
        {
            start++;
        }
        while (end > start && IsSpace(field[end - 1]))
        {
            end--;
        }
        return field.ToString(start, end - start);
    }

    private static bool IsSpace(char c) => char.IsWhiteSpace(c) || c == '\uFEFF';
}
