using System.Text;

namespace Toolchain.Inference.Cli.Inputs;

/// <summary>
/// Reads lines as <see cref="TextReader.ReadLine"/> does (ending at \n, \r\n or \r) but throws
/// <see cref="InvalidDataException"/> for a line longer than a limit instead of buffering it whole: a stream without
/// line breaks (/dev/zero on standard input, a huge binary blob) would otherwise be read until memory runs out.
/// </summary>
internal sealed class BoundedLineReader(TextReader reader, int maxLength)
{
    /// <summary>The longest line accepted by default: 1 MiB of characters.</summary>
    public const int DefaultMaxLength = 1 << 20;

    private readonly StringBuilder _line = new();
    private readonly char[] _buffer = new char[4096];
    private int _position;
    private int _count;
    private bool _afterCarriageReturn;
    private int _lineNumber;

    /// <summary>The next line without its ending, or null at the end of the input.</summary>
    public string? ReadLine()
    {
        _line.Clear();
        while (true)
        {
            if (_position == _count)
            {
                _count = reader.Read(_buffer, 0, _buffer.Length);
                _position = 0;
                if (_count == 0)
                {
                    // Every character read either ended a line or was appended, so an empty line here means none is left.
                    return _line.Length == 0 ? null : Finish(afterCarriageReturn: false);
                }
            }
            var c = _buffer[_position++];
            if (_afterCarriageReturn)
            {
                _afterCarriageReturn = false;
                if (c == '\n')
                {
                    continue;
                }
            }
            if (c == '\n' || c == '\r')
            {
                return Finish(afterCarriageReturn: c == '\r');
            }
            if (_line.Length == maxLength)
            {
                throw new InvalidDataException($"line {_lineNumber + 1} is longer than {Describe(maxLength)}");
            }
            _line.Append(c);
        }
    }

    private string Finish(bool afterCarriageReturn)
    {
        _afterCarriageReturn = afterCarriageReturn;
        _lineNumber++;
        return _line.ToString();
    }

    private static string Describe(int length) =>
        length % (1 << 20) == 0 ? $"{length >> 20} MiB" : length % 1024 == 0 ? $"{length >> 10} KiB" : $"{length} characters";
}
