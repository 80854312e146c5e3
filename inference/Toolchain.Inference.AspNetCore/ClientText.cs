using System.Text;

namespace Toolchain.Inference.AspNetCore;

/// <summary>
/// What a client sent, made fit to echo in an answer (an error body, a grpc-message, a problem detail): at most
/// <see cref="MaxEcho"/> characters and one line. A 100 KB model name echoed whole would turn a NOT_FOUND into the
/// client's own RESOURCE_EXHAUSTED on the header, and a 2.6-million-dimension shape a 5 MB error body.
/// </summary>
public static class ClientText
{
    /// <summary>The most characters of one piece of client text an answer repeats.</summary>
    public const int MaxEcho = 200;

    /// <summary><paramref name="text"/> cut to <see cref="MaxEcho"/> characters (saying how long it was), control characters escaped.</summary>
    public static string Echo(string? text)
    {
        if (text is null)
        {
            return "";
        }
        var cut = text.Length > MaxEcho ? MaxEcho : text.Length;
        if (cut < text.Length && char.IsHighSurrogate(text[cut - 1]))
        {
            // Never half a surrogate pair: a lone surrogate cannot be written as UTF-8 (JSON, HTTP/2 headers).
            cut--;
        }
        var builder = new StringBuilder(cut + 32);
        for (var i = 0; i < cut; i++)
        {
            var c = text[i];
            if (char.IsControl(c) || (char.IsSurrogate(c) && !IsPaired(text, i)))
            {
                builder.Append($"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }
        if (cut < text.Length)
        {
            builder.Append($"… ({text.Length} characters)");
        }
        return builder.ToString();
    }

    /// <summary>A shape as <c>[a,b,c]</c>, cut as <see cref="Echo"/> cuts text.</summary>
    public static string Shape(IReadOnlyList<long> shape)
    {
        var builder = new StringBuilder("[");
        for (var i = 0; i < shape.Count; i++)
        {
            if (builder.Length > MaxEcho)
            {
                return builder.Append($"… ({shape.Count} dimensions)]").ToString();
            }
            if (i > 0)
            {
                builder.Append(',');
            }
            builder.Append(shape[i]);
        }
        return builder.Append(']').ToString();
    }

    private static bool IsPaired(string text, int i) =>
        char.IsHighSurrogate(text[i]) ? i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])
        : i > 0 && char.IsHighSurrogate(text[i - 1]);
}
