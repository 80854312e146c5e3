using Toolchain.Inference.AspNetCore;

namespace Toolchain.Inference.Service.Tests;

/// <summary>What the service echoes of a client's text: at most 200 characters, one line, never half a surrogate pair.</summary>
public sealed class ClientTextTests
{
    [Fact]
    public void Short_text_is_echoed_as_it_is()
    {
        Assert.Equal("model-7", ClientText.Echo("model-7"));
    }

    [Fact]
    public void Long_text_is_cut_at_200_characters_and_says_how_long_it_was()
    {
        var echoed = ClientText.Echo(new string('a', 100_000));

        Assert.Equal(new string('a', 200) + "… (100000 characters)", echoed);
    }

    [Fact]
    public void Control_characters_and_lone_surrogates_are_escaped_and_pairs_are_never_split()
    {
        Assert.Equal("a\\u000ab\\u001bc\\ud800", ClientText.Echo("a\nb\u001bc\ud800"));
        var pairAtTheCut = new string('a', 199) + "😀" + "tail";
        Assert.Equal(new string('a', 199) + "… (205 characters)", ClientText.Echo(pairAtTheCut));
    }

    [Fact]
    public void A_shape_of_millions_of_dimensions_is_cut()
    {
        var shape = ClientText.Shape(Enumerable.Repeat(1L, 2_600_000).ToArray());

        Assert.StartsWith("[1,1,1,", shape);
        Assert.EndsWith("… (2600000 dimensions)]", shape);
        Assert.True(shape.Length < 300);
        Assert.Equal("[-1,2]", ClientText.Shape([-1, 2]));
    }
}
