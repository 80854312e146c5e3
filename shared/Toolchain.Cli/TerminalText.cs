using System.Text;

namespace Toolchain.Cli;

/// <summary>
/// Text that came from files (class names from folder names, CSV labels or <c>classes.txt</c>; file names) made safe to
/// print as part of one line: control characters (a newline, a tab, ESC starting a terminal escape sequence), the
/// Unicode line separators and the bidirectional overrides become <c>\xNN</c> or <c>\uNNNN</c>, so a label cannot
/// break "one line per image" or move the terminal's cursor. Other text, backslashes included, is left as it is.
/// </summary>
public static class TerminalText
{
    /// <summary><paramref name="text"/> with every character that could act on a terminal or end a line written out as an escape.</summary>
    public static string Escape(string text)
    {
        var first = IndexOfUnsafe(text);
        if (first < 0)
        {
            return text;
        }
        var sb = new StringBuilder(text.Length + 8).Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (IsUnsafe(c))
            {
                sb.Append(c <= '\xFF' ? $"\\x{(int)c:X2}" : $"\\u{(int)c:X4}");
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    private static int IndexOfUnsafe(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (IsUnsafe(text[i]))
            {
                return i;
            }
        }
        return -1;
    }

    private static bool IsUnsafe(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
