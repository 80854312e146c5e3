using System.Globalization;
using Toolchain.Data.Text;

namespace Toolchain.Inference.Cli.Inputs;

/// <summary>One line of a feature file: its values, or why they could not be read.</summary>
internal sealed record FeatureRow(int Line, double[]? Values, string? Error = null);

/// <summary>
/// Reads rows of numbers separated by commas or whitespace. Blank lines and lines starting with <c>#</c> are skipped,
/// and so is a first line made of names (a header such as <c>x1,x2</c>); a first line with a number in it, or with a
/// field that has no letter (<c>0;0</c>), is data and is reported when malformed.
/// </summary>
internal static class FeatureRowReader
{
    /// <summary>
    /// The rows of <paramref name="lines"/>. A line that is not text (longer than the reader's limit, a NUL character,
    /// bytes that are not UTF-8) ends the reading with <see cref="InvalidDataException"/>: no file of features has such
    /// lines, and a stream without line breaks must not be buffered whole.
    /// </summary>
    public static IEnumerable<FeatureRow> Read(BoundedLineReader lines, int expectedWidth)
    {
        var seenContent = false;
        while (lines.ReadLine() is { } line)
        {
            var lineNumber = lines.LineNumber;
            var text = line.Trim();
            if (text.Length == 0 || text.StartsWith('#'))
            {
                continue;
            }
            var isFirst = !seenContent;
            seenContent = true;
            var fields = text.Contains(',')
                ? text.Split(',', StringSplitOptions.TrimEntries)
                : text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var values = new double[fields.Length];
            string? error = null;
            for (var i = 0; i < fields.Length && error is null; i++)
            {
                if (fields[i].Length == 0)
                {
                    error = $"field {i + 1} is empty";
                }
                else if (!double.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
                {
                    error = $"field {i + 1} is not a finite number: '{Shorten(fields[i])}'";
                }
            }
            if (error is not null && isFirst && fields.All(IsName))
            {
                continue; // a header
            }
            if (error is null && values.Length != expectedWidth)
            {
                error = $"expected {expectedWidth} features, found {values.Length}";
            }
            yield return error is null ? new FeatureRow(lineNumber, values) : new FeatureRow(lineNumber, null, error);
        }
    }

    private static bool IsName(string field) =>
        field.Any(char.IsLetter) && !double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static string Shorten(string s) => s.Length <= 20 ? s : s[..20] + "…";
}
