using System.Text.Json.Serialization;

namespace Toolchain.Data.Tables;

/// <summary>What a table's label column is for: chosen from its values (<see cref="Auto"/>) or named by <c>--task</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TableTask>))]
public enum TableTask
{
    /// <summary>
    /// Decided by the label values: numbers with more than <see cref="TableDataset.MaxClassLikeValues"/> distinct values,
    /// or any that is not a whole number, are a regression target; anything else (text, a few whole numbers) are classes.
    /// </summary>
    [JsonStringEnumMemberName("auto")]
    Auto,

    /// <summary>Every distinct label value is a class.</summary>
    [JsonStringEnumMemberName("classification")]
    Classification,

    /// <summary>The label columns hold numbers to predict.</summary>
    [JsonStringEnumMemberName("regression")]
    Regression,
}
