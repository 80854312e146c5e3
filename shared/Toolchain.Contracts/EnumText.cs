using System.Reflection;
using System.Text.Json.Serialization;

namespace Toolchain.Contracts;

/// <summary>
/// The one text form of each enum the card, the command-line flags and the JSON answers share: the
/// <see cref="JsonStringEnumMemberNameAttribute"/> on each value, which <see cref="JsonStringEnumConverter{TEnum}"/>
/// writes too. Writing gives that spelling; parsing compares it case-insensitively, or exactly.
/// </summary>
public static class EnumText
{
    /// <summary>The spelling of <paramref name="value"/> ("multiclass", "float32", "NCHW", "digit", "cpu").</summary>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="value"/> is no declared value.</exception>
    public static string Of<T>(T value) where T : struct, Enum =>
        Spellings<T>.ByValue.TryGetValue(value, out var text) ? text : throw new ArgumentOutOfRangeException(nameof(value), value, null);

    /// <summary>The value spelt <paramref name="text"/>, ignoring case and surrounding space; null when none is.</summary>
    public static T? Parse<T>(string? text) where T : struct, Enum => Find<T>(text?.Trim(), StringComparison.OrdinalIgnoreCase);

    /// <summary>The value spelt exactly <paramref name="text"/>; null when none is.</summary>
    public static T? ParseExact<T>(string? text) where T : struct, Enum => Find<T>(text, StringComparison.Ordinal);

    /// <summary>Every spelling in declaration order, for messages: "none, digit or resize".</summary>
    public static string Choices<T>() where T : struct, Enum
    {
        var names = Spellings<T>.InOrder;
        return names.Length == 1 ? names[0].Text : $"{string.Join(", ", names[..^1].Select(n => n.Text))} or {names[^1].Text}";
    }

    /// <summary>Every spelling in declaration order, comma-separated: "sgd, adam".</summary>
    public static string Known<T>() where T : struct, Enum => string.Join(", ", Spellings<T>.InOrder.Select(n => n.Text));

    private static T? Find<T>(string? text, StringComparison comparison) where T : struct, Enum
    {
        foreach (var (value, spelling) in Spellings<T>.InOrder)
        {
            if (string.Equals(spelling, text, comparison))
            {
                return value;
            }
        }
        return null;
    }

    /// <summary>The spellings of <typeparamref name="T"/>, read once from its values' attributes.</summary>
    private static class Spellings<T> where T : struct, Enum
    {
        public static readonly (T Value, string Text)[] InOrder = Enum.GetValues<T>().Select(v => (v, Read(v))).ToArray();

        public static readonly Dictionary<T, string> ByValue = InOrder.ToDictionary(p => p.Value, p => p.Text);

        private static string Read(T value) =>
            typeof(T).GetField(value.ToString(), BindingFlags.Public | BindingFlags.Static)?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
            ?? throw new InvalidOperationException($"{typeof(T).Name}.{value} declares no [JsonStringEnumMemberName] spelling");
    }
}
