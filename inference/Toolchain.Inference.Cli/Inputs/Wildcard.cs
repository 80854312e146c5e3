namespace Toolchain.Inference.Cli.Inputs;

/// <summary>Shell-style matching of one path segment: <c>*</c> is any run of characters, <c>?</c> any one character.</summary>
internal static class Wildcard
{
    public static bool HasWildcards(string text) => text.AsSpan().IndexOfAny('*', '?') >= 0;

    public static bool IsMatch(string name, string pattern)
    {
        int n = 0, p = 0, starP = -1, starN = 0;
        while (n < name.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == name[n]))
            {
                n++;
                p++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starN = n;
            }
            else if (starP >= 0)
            {
                // Let the last star swallow one more character and retry from there.
                p = starP + 1;
                n = ++starN;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }
        return p == pattern.Length;
    }
}
