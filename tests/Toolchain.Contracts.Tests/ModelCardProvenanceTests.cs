namespace Toolchain.Contracts.Tests;

/// <summary>
/// How the data was drawn is typed on the card, and recorded among the hyperparameters in exactly the text cards have
/// always held there, so old cards read and new cards stay byte-identical.
/// </summary>
public class ModelCardProvenanceTests
{
    private static ModelCard Card(IReadOnlyDictionary<string, string> hyperparameters) => new()
    {
        Task = ModelTask.Multiclass,
        Labels = ["a", "b"],
        InputLayout = InputLayout.Nc,
        InputShape = [-1, 3],
        ElementType = ElementType.Float32,
        OutputName = "logits",
        PixelConvention = PixelConvention.RawFeatures,
        Hyperparameters = hyperparameters,
    };

    [Fact]
    public void The_recorded_values_have_the_exact_JSON_cards_have_always_held_in_the_writers_order()
    {
        var h = new Dictionary<string, string> { ["epochs"] = "5" };
        h.RecordLabelColumn("species,colour");
        h.RecordIgnoredColumns(["id", "note"]);
        h.RecordTestFraction(0.2);
        h.RecordSplitSeed(42);
        h["task"] = "regression";
        h.RecordDataSeed(4294967295);

        var json = Card(h).ToMetadata()[ModelCardKeys.Hyperparameters];

        Assert.Equal(
            """{"epochs":"5","label_column":"species,colour","ignored_columns":"id,note","test_fraction":"0.2","split_seed":"42","task":"regression","data_seed":"4294967295"}""",
            json);
        var card = ModelCard.FromMetadata(Card(h).ToMetadata())!;
        Assert.Equal(("species,colour", 0.2, 42, 4294967295u), (card.LabelColumn, card.TestFraction, card.SplitSeed, card.DataSeed));
        Assert.Equal(["id", "note"], card.IgnoredColumns);
        Assert.Equal(json, card.ToMetadata()[ModelCardKeys.Hyperparameters]);
    }

    [Fact]
    public void A_fraction_is_written_round_trip_and_no_columns_are_not_recorded()
    {
        var h = new Dictionary<string, string>();
        h.RecordIgnoredColumns([]);
        h.RecordTestFraction(0.1 + 0.2);

        Assert.Equal("""{"test_fraction":"0.30000000000000004"}""", Card(h).ToMetadata()[ModelCardKeys.Hyperparameters]);
    }

    [Fact]
    public void A_card_written_before_the_typed_fields_reads_them()
    {
        var metadata = new Dictionary<string, string>(Card(new Dictionary<string, string>()).ToMetadata())
        {
            [ModelCardKeys.Hyperparameters] = """{"preset":"default","label_column":"y","test_fraction":"0.25","split_seed":"2","ignored_columns":"name"}""",
        };

        var card = ModelCard.FromMetadata(metadata)!;

        Assert.Equal(("y", 0.25, 2, (uint?)null), (card.LabelColumn, card.TestFraction, card.SplitSeed, card.DataSeed));
        Assert.Equal(["name"], card.IgnoredColumns);
        Assert.Equal("default", card.Hyperparameters["preset"]);
    }

    [Fact]
    public void A_card_that_records_none_says_so()
    {
        var card = ModelCard.FromMetadata(Card(new Dictionary<string, string> { ["epochs"] = "5" }).ToMetadata())!;

        Assert.Equal(((string?)null, (double?)null, (int?)null, (uint?)null), (card.LabelColumn, card.TestFraction, card.SplitSeed, card.DataSeed));
        Assert.Empty(card.IgnoredColumns);
    }

    [Theory]
    [InlineData(ModelCardKeys.TestFraction, "a fifth", "a fraction between 0 and 1")]
    [InlineData(ModelCardKeys.TestFraction, "1.5", "a fraction between 0 and 1")]
    [InlineData(ModelCardKeys.SplitSeed, "0.5", "a whole number")]
    [InlineData(ModelCardKeys.DataSeed, "-1", "a whole number from 0 to 4294967295")]
    public void A_recorded_value_that_is_not_what_it_says_is_refused_naming_it(string key, string value, string what)
    {
        var metadata = Card(new Dictionary<string, string> { [key] = value }).ToMetadata();

        var e = Assert.Throws<FormatException>(() => ModelCard.FromMetadata(metadata));

        Assert.Equal($"model card key 'toolchain.hyperparameters' records {key} '{value}', which is not {what}", e.Message);
    }

    [Fact]
    public void A_JSON_answer_of_the_card_keeps_its_shape_the_typed_fields_stay_in_the_hyperparameters()
    {
        var h = new Dictionary<string, string>();
        h.RecordTestFraction(0.2);
        h.RecordSplitSeed(1);
        var options = new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower };

        var json = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(Card(h), options))!.AsObject();

        Assert.Equal("none: raw features", (string?)json["pixel_convention"]);
        Assert.Equal("""{"test_fraction":"0.2","split_seed":"1"}""", json["hyperparameters"]!.ToJsonString());
        Assert.DoesNotContain(json, p => p.Key is ModelCardKeys.LabelColumn or ModelCardKeys.IgnoredColumns or ModelCardKeys.TestFraction or ModelCardKeys.SplitSeed or ModelCardKeys.DataSeed);
    }
}
