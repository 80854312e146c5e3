using System.Text.Json;

namespace Toolchain.Contracts.Tests;

/// <summary>
/// The exact words every card enum value has had in cards, JSON answers and flags; pinned so the card's text stays
/// byte-identical whatever declares the spelling.
/// </summary>
public sealed class CardEnumTextTests
{
    public static TheoryData<Enum, string> Spellings => new()
    {
        { ModelTask.Binary, "binary" },
        { ModelTask.Multiclass, "multiclass" },
        { ModelTask.Regression, "regression" },
        { ElementType.Float32, "float32" },
        { ElementType.Float64, "float64" },
        { ElementType.UInt8, "uint8" },
        { InputLayout.Nchw, "NCHW" },
        { InputLayout.Nc, "NC" },
        { PreprocessingMode.None, "none" },
        { PreprocessingMode.Digit, "digit" },
        { PreprocessingMode.Resize, "resize" },
        { ExecutionProvider.Auto, "auto" },
        { ExecutionProvider.Cpu, "cpu" },
        { ExecutionProvider.Cuda, "cuda" },
        { QuantizationFormat.Int8Qdq, "int8-qdq" },
        { QuantizationFormat.Int8Dynamic, "int8-dynamic" },
        { QuantizationFormat.Float16, "float16" },
        { CalibrationMethod.MinMax, "minmax" },
        { CalibrationMethod.Percentile, "percentile" },
        { CalibrationMethod.Entropy, "entropy" },
        { PixelConvention.WhiteOnBlack, "white-on-black, scaled to [0,1]" },
        { PixelConvention.AsStored, "as stored, scaled to [0,1]" },
        { PixelConvention.RawFeatures, "none: raw features" },
    };

    [Theory]
    [MemberData(nameof(Spellings))]
    public void Each_value_is_written_with_the_words_cards_have_always_held(Enum value, string text)
    {
        Assert.Equal(text, Text(value));
        Assert.Equal($"\"{text}\"", JsonSerializer.Serialize(value, value.GetType()));
        Assert.Equal(value, JsonSerializer.Deserialize($"\"{text}\"", value.GetType()));
    }

    [Fact]
    public void The_pinned_table_covers_every_value_of_every_card_enum()
    {
        Type[] enums = [typeof(ModelTask), typeof(ElementType), typeof(InputLayout), typeof(PreprocessingMode), typeof(ExecutionProvider), typeof(QuantizationFormat), typeof(CalibrationMethod), typeof(PixelConvention)];
        var pinned = Spellings.Select(row => (Enum)row[0]).ToHashSet();
        Assert.All(enums.SelectMany(t => Enum.GetValues(t).Cast<Enum>()), v => Assert.Contains(v, pinned));
    }

    private static string Text(Enum value) => value switch
    {
        ModelTask v => EnumText.Of(v),
        ElementType v => EnumText.Of(v),
        InputLayout v => EnumText.Of(v),
        PreprocessingMode v => EnumText.Of(v),
        ExecutionProvider v => EnumText.Of(v),
        QuantizationFormat v => EnumText.Of(v),
        CalibrationMethod v => EnumText.Of(v),
        PixelConvention v => EnumText.Of(v),
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };
}
