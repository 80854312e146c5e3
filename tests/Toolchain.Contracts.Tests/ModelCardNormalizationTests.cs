using Toolchain.Contracts;

namespace Toolchain.Contracts.Tests;

public class ModelCardNormalizationTests
{
    private static ModelCard Card() => new()
    {
        Task = ModelTask.Multiclass,
        Labels = ["a", "b"],
        InputLayout = InputLayout.Nchw,
        InputShape = [-1, 3, 8, 8],
        ElementType = ElementType.Float32,
        OutputName = "logits",
        Mean = 0.2,
        Std = 0.3,
    };

    [Fact]
    public void A_card_written_before_per_channel_values_still_loads_with_its_scalar_for_every_channel()
    {
        var metadata = new Dictionary<string, string>(Card().ToMetadata());
        Assert.DoesNotContain(ModelCardKeys.ChannelMeans, metadata.Keys);
        Assert.DoesNotContain(ModelCardKeys.NormalizationInGraph, metadata.Keys);
        Assert.DoesNotContain(ModelCardKeys.FeatureNames, metadata.Keys);

        var read = ModelCard.FromMetadata(metadata)!;

        Assert.Empty(read.ChannelMeans);
        Assert.False(read.NormalizationInGraph);
        Assert.Empty(read.FeatureNames);
        Assert.Equal([0.2, 0.2, 0.2], read.NormalizationFor(3).Means);
        Assert.Equal([0.3, 0.3, 0.3], read.NormalizationFor(3).Stds);
    }

    [Fact]
    public void Per_channel_values_feature_names_and_the_in_graph_flag_round_trip()
    {
        var card = Card() with { ChannelMeans = [0.1, 0.2, 0.3], ChannelStds = [0.4, 0.5, 0.6], FeatureNames = ["x", "y"] };

        var read = ModelCard.FromMetadata(card.ToMetadata())!;

        Assert.Equal([0.1, 0.2, 0.3], read.ChannelMeans);
        Assert.Equal([0.4, 0.5, 0.6], read.ChannelStds);
        Assert.Equal(["x", "y"], read.FeatureNames);
        Assert.Equal([0.1, 0.2, 0.3], read.NormalizationFor(3).Means);
        Assert.Equal([0.4, 0.5, 0.6], read.NormalizationFor(3).Stds);
        var inGraph = ModelCard.FromMetadata((card with { NormalizationInGraph = true }).ToMetadata())!;
        Assert.True(inGraph.NormalizationInGraph);
        Assert.Equal([0.0, 0.0, 0.0], inGraph.NormalizationFor(3).Means);
        Assert.Equal([1.0, 1.0, 1.0], inGraph.NormalizationFor(3).Stds);
    }

    [Theory]
    [InlineData(ModelCardKeys.NormalizationInGraph, "yes")]
    [InlineData(ModelCardKeys.ChannelStds, "[0.1,0]")]
    [InlineData(ModelCardKeys.ChannelStds, "[0.1]")]
    public void Malformed_new_keys_are_refused_naming_them(string key, string value)
    {
        var metadata = new Dictionary<string, string>((Card() with { ChannelMeans = [0.1, 0.2], ChannelStds = [0.3, 0.4] }).ToMetadata())
        {
            [key] = value,
        };

        var e = Assert.Throws<FormatException>(() => ModelCard.FromMetadata(metadata));

        Assert.Contains("toolchain.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_card_keeps_its_pixel_phrase_and_one_without_it_has_none_and_writes_it_back_empty()
    {
        var card = Card() with { PixelConvention = PixelConvention.AsStored };
        var metadata = new Dictionary<string, string>(card.ToMetadata());
        Assert.Equal("as stored, scaled to [0,1]", metadata[ModelCardKeys.PixelConvention]);
        Assert.Contains("| pixels as stored, scaled to [0,1], normalised", card.Summary());
        Assert.Equal(PixelConvention.AsStored, ModelCard.FromMetadata(metadata)!.PixelConvention);

        metadata.Remove(ModelCardKeys.PixelConvention);
        var without = ModelCard.FromMetadata(metadata)!;
        Assert.Null(without.PixelConvention);
        Assert.Contains("| pixels , normalised", without.Summary());
        Assert.Equal("", without.ToMetadata()[ModelCardKeys.PixelConvention]);

        metadata[ModelCardKeys.PixelConvention] = "rgb 0-255";
        var e = Assert.Throws<FormatException>(() => ModelCard.FromMetadata(metadata));
        Assert.Contains("'toolchain.preprocess.pixels'", e.Message);
        Assert.Contains("'rgb 0-255'", e.Message);
    }
}
