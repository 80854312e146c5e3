using Toolchain.Contracts;

namespace Toolchain.Contracts.Tests;

public class ModelCardBackboneTests
{
    private static ModelCard Card() => new()
    {
        Task = ModelTask.Multiclass,
        Labels = ["a", "b"],
        InputLayout = InputLayout.Nchw,
        InputShape = [-1, 3, 224, 224],
        ElementType = ElementType.UInt8,
        OutputName = "logits",
        NormalizationInGraph = true,
    };

    private static readonly BackboneRecord Resnet = new()
    {
        Name = "resnet18",
        Sha256 = new string('e', 64),
        Source = "NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0",
        Licence = "MIT",
        Tuning = "last stage, from ReLU347_Output_0",
        Head = "linear(2)",
        Resize = "shorter side resized to 224, centre crop 224×224, outside the graph",
    };

    [Fact]
    public void A_backbone_round_trips_and_shows_in_the_summary()
    {
        var card = Card() with { Backbone = Resnet, Architecture = "resnet18 > linear(2)" };
        var metadata = card.ToMetadata();
        Assert.Equal("resnet18", metadata[ModelCardKeys.BackboneName]);
        Assert.Equal("MIT", metadata[ModelCardKeys.BackboneLicence]);
        Assert.Equal(Resnet, ModelCard.FromMetadata(metadata)!.Backbone);
        Assert.Contains("arch resnet18 > linear(2) (backbone last stage, from ReLU347_Output_0)", card.Summary());
        // What the head reads besides the output is written only when there is something: older cards had no such key.
        Assert.False(metadata.ContainsKey(ModelCardKeys.BackboneFeatures));

        var withStage = card with { Backbone = Resnet with { Features = "Pooling395_Output_0 (512) + mean of ReLU347_Output_0 (256)" } };
        metadata = withStage.ToMetadata();
        Assert.Equal("Pooling395_Output_0 (512) + mean of ReLU347_Output_0 (256)", metadata[ModelCardKeys.BackboneFeatures]);
        Assert.Equal(withStage.Backbone, ModelCard.FromMetadata(metadata)!.Backbone);
    }

    [Fact]
    public void A_card_without_a_backbone_has_none_of_its_keys()
    {
        var metadata = Card().ToMetadata();
        Assert.DoesNotContain(metadata.Keys, k => k.StartsWith("toolchain.backbone.", StringComparison.Ordinal));
        Assert.Null(ModelCard.FromMetadata(metadata)!.Backbone);
    }

    [Fact]
    public void A_backbone_named_without_its_digest_is_refused_naming_the_key()
    {
        var metadata = new Dictionary<string, string>((Card() with { Backbone = Resnet }).ToMetadata());
        metadata.Remove(ModelCardKeys.BackboneSha256);
        var e = Assert.Throws<FormatException>(() => ModelCard.FromMetadata(metadata));
        Assert.Equal("model card is missing 'toolchain.backbone.sha256'", e.Message);
    }
}
