using System.Globalization;

namespace Toolchain.Contracts;

/// <summary>
/// Records how a model's data was drawn in the card's hyperparameters, under <see cref="ModelCardKeys"/>'s provenance
/// keys and in the one text form <see cref="ModelCard"/>'s typed fields (<see cref="ModelCard.TestFraction"/>,
/// <see cref="ModelCard.SplitSeed"/>, ...) read back. The writer adds each where it belongs among its other
/// hyperparameters, so a card's JSON keeps the order it has always had.
/// </summary>
public static class CardProvenance
{
    /// <summary>Records a table's label column (a regression's target columns joined by commas).</summary>
    public static void RecordLabelColumn(this IDictionary<string, string> hyperparameters, string column)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        hyperparameters[ModelCardKeys.LabelColumn] = column;
    }

    /// <summary>Records the table columns left out of the features; records nothing when there are none.</summary>
    public static void RecordIgnoredColumns(this IDictionary<string, string> hyperparameters, IReadOnlyCollection<string> columns)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count > 0)
        {
            hyperparameters[ModelCardKeys.IgnoredColumns] = string.Join(',', columns);
        }
    }

    /// <summary>Records the fraction held out for testing.</summary>
    public static void RecordTestFraction(this IDictionary<string, string> hyperparameters, double fraction)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        hyperparameters[ModelCardKeys.TestFraction] = fraction.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>Records the seed of the held-out split.</summary>
    public static void RecordSplitSeed(this IDictionary<string, string> hyperparameters, int seed)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        hyperparameters[ModelCardKeys.SplitSeed] = seed.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Records the seed of the xor draw.</summary>
    public static void RecordDataSeed(this IDictionary<string, string> hyperparameters, uint seed)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        hyperparameters[ModelCardKeys.DataSeed] = seed.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The recorded value of <paramref name="key"/> read by <paramref name="parse"/>, or null when absent.</summary>
    /// <exception cref="FormatException">The value is recorded but is not what <paramref name="what"/> says.</exception>
    internal static T? Read<T>(IReadOnlyDictionary<string, string> hyperparameters, string key, string what, TryParse<T> parse) where T : struct =>
        !hyperparameters.TryGetValue(key, out var text) ? null
        : parse(text, out var value) ? value
        : throw new FormatException($"model card key '{ModelCardKeys.Hyperparameters}' records {key} '{text}', which is not {what}");

    /// <summary>A parser in the shape of <c>double.TryParse</c>.</summary>
    internal delegate bool TryParse<T>(string text, out T value);

    internal static bool Fraction(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value > 0 && value < 1;

    internal static bool Int(string text, out int value) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);

    internal static bool UInt(string text, out uint value) => uint.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
}
