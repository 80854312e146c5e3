using System.Text.Json;

namespace Toolchain.Contracts.Tests;

/// <summary>One vocabulary: every enum value has one text, which parses back, and JSON uses it too.</summary>
public sealed class EnumTextTests
{
    [Fact]
    public void Every_value_round_trips_through_its_card_text()
    {
        Assert.All(Enum.GetValues<ModelTask>(), v => Assert.Equal(v, EnumText.Parse<ModelTask>(EnumText.Of(v))));
        Assert.All(Enum.GetValues<ElementType>(), v => Assert.Equal(v, EnumText.Parse<ElementType>(EnumText.Of(v))));
        Assert.All(Enum.GetValues<InputLayout>(), v => Assert.Equal(v, EnumText.Parse<InputLayout>(EnumText.Of(v))));
        Assert.All(Enum.GetValues<PreprocessingMode>(), v => Assert.Equal(v, EnumText.Parse<PreprocessingMode>(EnumText.Of(v))));
        Assert.All(Enum.GetValues<ExecutionProvider>(), v => Assert.Equal(v, EnumText.Parse<ExecutionProvider>(EnumText.Of(v))));
    }

    [Theory]
    [InlineData("DIGIT", PreprocessingMode.Digit)]
    [InlineData(" resize ", PreprocessingMode.Resize)]
    [InlineData("none", PreprocessingMode.None)]
    public void Parsing_ignores_case_and_surrounding_space(string text, PreprocessingMode expected) =>
        Assert.Equal(expected, EnumText.Parse<PreprocessingMode>(text));

    [Theory]
    [InlineData("raw")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("Digit1")]
    public void Anything_else_is_not_a_mode(string? text) => Assert.Null(EnumText.Parse<PreprocessingMode>(text));

    [Fact]
    public void Choices_list_the_card_words_for_messages()
    {
        Assert.Equal("none, digit or resize", EnumText.Choices<PreprocessingMode>());
        Assert.Equal("float32, float64 or uint8", EnumText.Choices<ElementType>());
    }

    [Fact]
    public void JSON_writes_and_reads_the_card_words_not_numbers()
    {
        var json = JsonSerializer.Serialize(new { task = ModelTask.Binary, type = ElementType.Float64, layout = InputLayout.Nchw, mode = PreprocessingMode.Resize, provider = ExecutionProvider.Cuda });

        Assert.Equal("""{"task":"binary","type":"float64","layout":"NCHW","mode":"resize","provider":"cuda"}""", json);
        Assert.Equal(PreprocessingMode.Digit, JsonSerializer.Deserialize<PreprocessingMode>("\"digit\""));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<PreprocessingMode>("\"stretch\""));
    }
}
