using System.Text;

namespace Toolchain.Data.Text;

/// <summary>
/// Reads lines as <see cref="TextReader.ReadLine"/> does (ending at \n, \r\n or \r) but refuses, with
/// <see cref="InvalidDataException"/> naming the line, what is not a line of text: a line longer than a limit (it is
/// never buffered whole, so a stream without line breaks such as /dev/zero or a sparse file's hole costs the limit, not
/// its size), a NUL character, and bytes that are not UTF-8 (when reading through <see cref="OpenFile"/>). Both the
/// CSV tables and the feature rows of <c>infer predict</c> read through it.
/// </summary>
public sealed class BoundedLineReader : IDisposable
{
    /// <summary>The longest line accepted by default: 1 MiB of characters.</summary>
    public const int DefaultMaxLength = 1 << 20;

    private readonly TextReader _reader;
    private readonly bool _ownsReader;
    private readonly MarkingDecoderFallback? _marks;
    private long _marksSeen;
    private readonly StringBuilder _line = new();
    private readonly char[] _buffer = new char[16 * 1024];
    private int _position;
    private int _count;
    private bool _afterCarriageReturn;

    /// <summary>Reads lines of at most <paramref name="maxLength"/> characters from <paramref name="reader"/>.</summary>
    /// <param name="reader">The text; disposed with this reader only when <paramref name="ownsReader"/> is true.</param>
    /// <param name="maxLength">The longest line accepted.</param>
    /// <param name="ownsReader">Whether <see cref="Dispose"/> disposes <paramref name="reader"/>.</param>
    public BoundedLineReader(TextReader reader, int maxLength = DefaultMaxLength, bool ownsReader = false)
        : this(reader, maxLength, ownsReader, null)
    {
    }

    private BoundedLineReader(TextReader reader, int maxLength, bool ownsReader, MarkingDecoderFallback? marks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        _reader = reader;
        MaxLength = maxLength;
        _ownsReader = ownsReader;
        _marks = marks;
    }

    /// <summary>
    /// Opens the file at <paramref name="path"/>: UTF-8 (a byte-order mark is skipped) or, after a UTF-16 or UTF-32
    /// byte-order mark, that encoding (spreadsheets save "Unicode text" as UTF-16). A byte that is not UTF-8 is reported
    /// with its line, not replaced. The caller checks first that the path is a regular file: opening a named pipe blocks.
    /// </summary>
    public static BoundedLineReader OpenFile(string path, int maxLength = DefaultMaxLength)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan);
        try
        {
            var marks = new MarkingDecoderFallback();
            var encoding = SkipByteOrderMark(stream, Encoding.GetEncoding("utf-8", EncoderFallback.ReplacementFallback, marks));
            var text = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024);
            return new BoundedLineReader(text, maxLength, ownsReader: true, encoding is UTF8Encoding ? marks : null);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The longest line accepted.</summary>
    public int MaxLength { get; }

    /// <summary>The 1-based number of the line last returned (0 before the first).</summary>
    public int LineNumber { get; private set; }

    /// <summary>
    /// The next line without its ending, or null at the end of the input. Throws <see cref="InvalidDataException"/>
    /// ("line N is longer than 1 MiB", "line N holds a NUL character", "line N is not UTF-8 text") for a line that
    /// is not one, having read at most the limit of it.
    /// </summary>
    public string? ReadLine()
    {
        _line.Clear();
        while (true)
        {
            if (_position == _count)
            {
                _count = _reader.Read(_buffer, 0, _buffer.Length);
                _position = 0;
                if (_count == 0)
                {
                    // Every character read either ended a line or was appended, so an empty line here means none is left.
                    return _line.Length == 0 ? null : Finish(afterCarriageReturn: false);
                }
            }
            if (_afterCarriageReturn)
            {
                _afterCarriageReturn = false;
                if (_buffer[_position] == '\n')
                {
                    _position++;
                    continue;
                }
            }
            var rest = _buffer.AsSpan(_position, _count - _position);
            var end = rest.IndexOfAny('\n', '\r');
            var piece = end < 0 ? rest : rest[..end];
            if (piece.IndexOf('\0') is var nul and >= 0)
            {
                throw Refused($"holds a NUL character (column {_line.Length + nul + 1}); it is not a text file");
            }
            if (_marks is not null && _marks.Marked > _marksSeen
                && piece.IndexOfAnyInRange((char)(MarkingDecoderFallback.Base + 0x80), (char)(MarkingDecoderFallback.Base + 0xFF)) is var mark and >= 0)
            {
                _marksSeen++;
                throw Refused($"is not UTF-8 text (byte 0x{piece[mark] - MarkingDecoderFallback.Base:X2} at column {_line.Length + mark + 1})");
            }
            if (_line.Length + piece.Length > MaxLength)
            {
                throw Refused($"is longer than {Describe(MaxLength)}");
            }
            _line.Append(piece);
            if (end < 0)
            {
                _position = _count;
                continue;
            }
            _position += end + 1;
            return Finish(afterCarriageReturn: rest[end] == '\r');
        }
    }

    /// <summary>A length in characters as people read it: "1 MiB", "4 KiB" or "100 characters".</summary>
    public static string Describe(int length) =>
        length % (1 << 20) == 0 ? $"{length >> 20} MiB" : length % 1024 == 0 ? $"{length >> 10} KiB" : $"{length} characters";

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsReader)
        {
            _reader.Dispose();
        }
    }

    private string Finish(bool afterCarriageReturn)
    {
        _afterCarriageReturn = afterCarriageReturn;
        LineNumber++;
        return _line.ToString();
    }

    private InvalidDataException Refused(string problem) => new($"line {LineNumber + 1} {problem}");

    private static Encoding SkipByteOrderMark(FileStream stream, Encoding utf8)
    {
        Span<byte> head = stackalloc byte[4];
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var (encoding, skip) = head[..read] switch
        {
            [0xEF, 0xBB, 0xBF, ..] => (utf8, 3),
            [0xFF, 0xFE, 0, 0] => (new UTF32Encoding(bigEndian: false, byteOrderMark: false), 4),
            [0xFF, 0xFE, ..] => (new UnicodeEncoding(bigEndian: false, byteOrderMark: false), 2),
            [0xFE, 0xFF, ..] => (new UnicodeEncoding(bigEndian: true, byteOrderMark: false), 2),
            _ => (utf8, 0),
        };
        stream.Position = skip;
        return encoding;
    }
}
