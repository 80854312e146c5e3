using System.Text;

namespace Toolchain.Data.Text;

/// <summary>
/// Decodes each byte that is not UTF-8 as the private-use character U+F700 + byte and counts them, so
/// <see cref="BoundedLineReader"/> can name the line, column and byte of bad input. A throwing decoder fails for a
/// whole buffer of several lines at once, the replacement character would let the bad bytes through as a different
/// word, and .NET refuses fallbacks that produce lone surrogates (Python's "surrogateescape"). The count tells a marker
/// from the same character written in the file: a file without bad bytes is never refused for one.
/// </summary>
internal sealed class MarkingDecoderFallback : DecoderFallback
{
    /// <summary>The character standing for byte 0x00 (invalid bytes are 0x80 and above).</summary>
    public const char Base = '\uF700';

    /// <summary>Invalid bytes decoded so far (ahead of what the reader has consumed: decoding runs a buffer ahead).</summary>
    public long Marked { get; private set; }

    /// <summary>An invalid sequence is at most 4 bytes, each one character.</summary>
    public override int MaxCharCount => 4;

    public override DecoderFallbackBuffer CreateFallbackBuffer() => new Markers(this);

    private sealed class Markers(MarkingDecoderFallback owner) : DecoderFallbackBuffer
    {
        private byte[] _bytes = [];
        private int _next;

        public override int Remaining => _bytes.Length - _next;

        public override bool Fallback(byte[] bytesUnknown, int index)
        {
            _bytes = bytesUnknown;
            _next = 0;
            owner.Marked += bytesUnknown.Length;
            return bytesUnknown.Length > 0;
        }

        public override char GetNextChar() => _next < _bytes.Length ? (char)(Base + _bytes[_next++]) : '\0';

        public override bool MovePrevious()
        {
            if (_next == 0)
            {
                return false;
            }
            _next--;
            return true;
        }

        public override void Reset()
        {
            _bytes = [];
            _next = 0;
        }
    }
}
