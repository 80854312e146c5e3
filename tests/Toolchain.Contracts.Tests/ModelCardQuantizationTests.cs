using Toolchain.Contracts;

namespace Toolchain.Contracts.Tests;

public class ModelCardQuantizationTests
{
    private static ModelCard Card() => new()
    {
        Task = ModelTask.Multiclass,
        Labels = ["a", "b"],
        InputLayout = InputLayout.Nc,
        InputShape = [-1, 2],
        ElementType = ElementType.Float32,
        OutputName = "logits",
    };

    private static QuantizationRecord Record() => new()
    {
        Format = QuantizationFormat.Int8Qdq,
        Activations = "uint8",
        Calibration = CalibrationMethod.Entropy,
        CalibrationSet = "mnist-sample",
        CalibrationSamples = 512,
        ExcludedNodes = ["conv1", "fc2"],
        FloatOperators = ["Softmax"],
        SourceGraphSha256 = new string('b', 64),
        AccuracyBefore = 0.9795,
        AccuracyAfter = 0.9790,
        EvaluatedOn = "mnist-sample (1804 test examples)",
        SpeedBatchSize = 64,
        ImagesPerSecondBefore = 4078.5,
        ImagesPerSecondAfter = 6022.1,
        MeasuredOn = "AMD EPYC (avx512_vnni avx2), 2 logical CPUs",
    };

    [Fact]
    public void The_quantization_record_round_trips_through_metadata()
    {
        var card = Card() with { Quantization = Record() };

        var metadata = card.ToMetadata();
        var read = ModelCard.FromMetadata(metadata)!;

        Assert.Equal(card.Quantization, read.Quantization);
        Assert.Equal(["conv1", "fc2"], read.Quantization!.ExcludedNodes);
        Assert.Equal(CalibrationMethod.Entropy, read.Quantization.Calibration);
        Assert.Contains("\"format\":\"int8-qdq\"", metadata[ModelCardKeys.Quantization]);
        Assert.Contains("\"calibration\":\"entropy\"", metadata[ModelCardKeys.Quantization]);
        Assert.Contains("quantized int8-qdq", card.Summary());
    }

    [Fact]
    public void A_float_model_has_no_record_and_no_key()
    {
        Assert.False(Card().ToMetadata().ContainsKey(ModelCardKeys.Quantization));
        Assert.Null(ModelCard.FromMetadata(Card().ToMetadata())!.Quantization);
    }

    [Fact]
    public void Dynamic_and_float16_records_leave_calibration_out()
    {
        var record = new QuantizationRecord { Format = QuantizationFormat.Float16 };

        var read = QuantizationRecord.Parse(record.ToJson());

        Assert.Equal(QuantizationFormat.Float16, read.Format);
        Assert.Null(read.Calibration);
        Assert.Null(read.AccuracyBefore);
        Assert.Empty(read.ExcludedNodes);
    }

    [Theory]
    [InlineData("not json", "is not a valid JSON object")]
    [InlineData("""{"format":"int4"}""", "format must be int8-qdq, int8-dynamic or float16, not 'int4'")]
    [InlineData("""{"format":"int8-qdq","calibration":"kl"}""", "calibration must be minmax, percentile or entropy, not 'kl'")]
    [InlineData("""{"format":"int8-qdq","accuracy_after":1.5}""", "accuracy outside [0,1]")]
    [InlineData("""{"format":"int8-qdq","calibration_samples":-1}""", "negative")]
    [InlineData("""{"format":"int8-qdq","activations":"int4"}""", "activations must be uint8 or int8, not 'int4'")]
    public void A_malformed_record_names_the_key(string json, string problem)
    {
        var metadata = new Dictionary<string, string>(Card().ToMetadata()) { [ModelCardKeys.Quantization] = json };

        var e = Assert.Throws<FormatException>(() => ModelCard.FromMetadata(metadata));

        Assert.StartsWith($"model card key '{ModelCardKeys.Quantization}' ", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Theory]
    [InlineData(784, 4)]
    [InlineData(3 * 224 * 224, 1)]
    [InlineData(8192, 2)]
    public void The_reference_budget_keeps_at_most_four_examples_within_64_KB(long width, int count)
    {
        Assert.Equal(count, ReferenceExamples.CountFor(width, ElementType.Float32));
    }
}
