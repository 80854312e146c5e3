using Toolchain.Contracts;

namespace Toolchain.Contracts.Tests;

public class ModelCardIntegrityTests
{
    private static ModelCard Card() => new()
    {
        Task = ModelTask.Multiclass,
        Labels = ["a", "b", "c"],
        InputLayout = InputLayout.Nc,
        InputShape = [-1, 2],
        ElementType = ElementType.Float32,
        OutputName = "logits",
    };

    private static ReferenceExamples Reference(ElementType type = ElementType.Float32) => new()
    {
        OutputName = "logits",
        ElementType = type,
        Count = 2,
        // float32-exact values, including ones decimal text would round: 0.1f, 1/3f, the smallest subnormal.
        Inputs = [(double)0.1f, (double)(1 / 3f), -2.5, (double)float.Epsilon],
        Outputs = [1, -1, 0, (double)float.MaxValue, double.NegativeInfinity, 3e-30f],
    };

    [Fact]
    public void The_integrity_record_round_trips_through_metadata_exactly()
    {
        var card = Card() with { GraphSha256 = new string('a', 64), Reference = Reference() };

        var read = ModelCard.FromMetadata(card.ToMetadata())!;

        Assert.Equal(card.GraphSha256, read.GraphSha256);
        Assert.Equal(card.Reference!.Inputs, read.Reference!.Inputs);
        Assert.Equal(card.Reference.Outputs, read.Reference.Outputs);
        Assert.Equal(2, read.Reference.Count);
        Assert.Equal(2, read.Reference.InputWidth);
        Assert.Equal(3, read.Reference.OutputWidth);
        Assert.True(read.HasIntegrityRecord);
    }

    [Fact]
    public void The_reference_is_stored_as_one_compact_object_of_base64_floats()
    {
        var reference = Reference() with { Count = 1, Inputs = [1, -2], Outputs = [0.5] };

        Assert.Equal("""{"output":"logits","element_type":"float32","count":1,"inputs":"AACAPwAAAMA=","outputs":"AAAAPw=="}""", reference.ToJson());
    }

    [Fact]
    public void Float64_values_are_stored_as_float64()
    {
        var reference = Reference(ElementType.Float64) with { Inputs = [0.1, 1 / 3.0, Math.PI, -0.0] };

        var read = ReferenceExamples.Parse(reference.ToJson());

        Assert.Equal(reference.Inputs, read.Inputs);
        Assert.True(double.IsNegative(read.Inputs[3]));
    }

    [Fact]
    public void A_card_without_integrity_keys_has_no_record_and_writes_none()
    {
        var read = ModelCard.FromMetadata(Card().ToMetadata())!;

        Assert.Null(read.GraphSha256);
        Assert.Null(read.Reference);
        Assert.False(read.HasIntegrityRecord);
        Assert.DoesNotContain(ModelCardKeys.GraphSha256, Card().ToMetadata().Keys);
        Assert.DoesNotContain(ModelCardKeys.Reference, Card().ToMetadata().Keys);
    }

    [Theory]
    [InlineData("ABCDEF")]
    [InlineData("not hex at all, but sixty-four characters long.................")]
    public void A_digest_that_is_not_64_lower_case_hex_digits_is_a_malformed_card(string digest)
    {
        var metadata = new Dictionary<string, string>(Card().ToMetadata()) { [ModelCardKeys.GraphSha256] = digest };

        var e = Assert.Throws<FormatException>(() => ModelCard.FromMetadata(metadata));

        Assert.Contains($"'{ModelCardKeys.GraphSha256}'", e.Message);
        Assert.Contains("64", e.Message);
    }

    [Theory]
    [InlineData("[]", new[] { "JSON object" })]
    [InlineData("{\"output\":\"logits\",\"element_type\":\"float16\",\"count\":1,\"inputs\":\"AAAAAA==\",\"outputs\":\"AAAAAA==\"}", new[] { "element_type", "float32, float64 or uint8", "'float16'" })]
    [InlineData("{\"output\":\"logits\",\"element_type\":\"float32\",\"count\":0,\"inputs\":\"AAAAAA==\",\"outputs\":\"AAAAAA==\"}", new[] { "'count'" })]
    [InlineData("{\"output\":\"logits\",\"element_type\":\"float32\",\"count\":1,\"inputs\":\"%%%\",\"outputs\":\"AAAAAA==\"}", new[] { "'inputs'", "base64" })]
    [InlineData("{\"output\":\"logits\",\"element_type\":\"float32\",\"count\":1,\"inputs\":\"AAAA\",\"outputs\":\"AAAAAA==\"}", new[] { "'inputs'", "3 bytes", "float32" })]
    [InlineData("{\"output\":\"logits\",\"element_type\":\"float32\",\"count\":2,\"inputs\":\"AAAAAA==\",\"outputs\":\"AAAAAA==\"}", new[] { "1 input", "1 output", "2 examples" })]
    public void A_malformed_reference_names_the_key_and_the_problem(string json, string[] facts)
    {
        var metadata = new Dictionary<string, string>(Card().ToMetadata()) { [ModelCardKeys.Reference] = json };

        var e = Assert.Throws<FormatException>(() => ModelCard.FromMetadata(metadata));

        Assert.Contains($"'{ModelCardKeys.Reference}'", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.All(facts, fact => Assert.Contains(fact, e.Message));
    }

    [Fact]
    public void A_reference_that_does_not_fit_the_input_shape_is_a_malformed_card()
    {
        var card = Card() with { InputShape = [-1, 3], Reference = Reference() };

        var e = Assert.Throws<FormatException>(() => ModelCard.FromMetadata(card.ToMetadata()));

        Assert.Contains("holds 2 float32 values per input, but the model takes 3 float32 values", e.Message);
    }
}
