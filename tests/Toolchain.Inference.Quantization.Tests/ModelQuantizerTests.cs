using Toolchain.Contracts;
using Toolchain.Inference.Quantization.Calibration;
using Toolchain.Inference.Runtime;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Quantization.Tests;

/// <summary>Quantizing the trained tiny CNN: accuracy kept, the card's record, integrity, and the choices made.</summary>
public sealed class ModelQuantizerTests(QuantizedCnnFixture fixture) : IClassFixture<QuantizedCnnFixture>
{
    private static readonly OnnxModelOptions Cpu = new() { Provider = ExecutionProvider.Cpu, IntraOpThreads = 1 };

    [Fact]
    public void TheInt8ModelKeepsTheFloatModelsAccuracy()
    {
        var r = fixture.Result;
        Assert.InRange(r.Before.Accuracy, 0.75, 1);
        Assert.InRange(r.DropPoints, -1, 1);
        // The figures are the evaluator's own on the files.
        Assert.Equal(QuantizedTinyModels.Evaluate(fixture.Int8Path).Accuracy, r.After.Accuracy);
        Assert.Equal(QuantizedTinyModels.Evaluate(fixture.FloatPath).Accuracy, r.Before.Accuracy);
    }

    [Fact]
    public void TheCardRecordsHowItWasMadeAndWhatItCost()
    {
        var card = OnnxModel.Describe(fixture.Int8Path, Cpu).Card;
        var q = Assert.IsType<QuantizationRecord>(card.Quantization);
        var r = fixture.Result;
        Assert.Equal(QuantizationFormat.Int8Qdq, q.Format);
        Assert.Equal("uint8", q.Activations);
        Assert.Equal(CalibrationMethod.MinMax, q.Calibration);
        Assert.Equal("mnist-sample", q.CalibrationSet);
        Assert.Equal(128, q.CalibrationSamples);
        Assert.Empty(q.ExcludedNodes);
        Assert.Equal(["Softmax"], q.FloatOperators);
        Assert.Equal(r.Before.Accuracy, q.AccuracyBefore);
        Assert.Equal(r.After.Accuracy, q.AccuracyAfter);
        Assert.Equal($"mnist-sample (first {QuantizedTinyModels.TestCount} test digits) ({QuantizedTinyModels.TestCount} test examples)", q.EvaluatedOn);
        Assert.Equal(8, q.SpeedBatchSize);
        Assert.True(q.ImagesPerSecondBefore > 0);
        Assert.True(q.ImagesPerSecondAfter > 0);
        Assert.Contains(r.Cpu.Model, q.MeasuredOn);
        Assert.Equal(QuantizedTinyModels.CardOf(fixture.FloatPath) is { } f ? Toolchain.Contracts.GraphDigest.OfModel(File.ReadAllBytes(fixture.FloatPath)) : null, q.SourceGraphSha256);
        // Measured on other data than the card's test set: no test accuracy is claimed for the card's own.
        Assert.Null(card.TestAccuracy);
        Assert.Null(card.ExportParity);
        // The rest of the contract is the float model's.
        var floatCard = QuantizedTinyModels.CardOf(fixture.FloatPath);
        Assert.Equal(floatCard.Labels, card.Labels);
        Assert.Equal(floatCard.InputShape, card.InputShape);
        Assert.Equal(ElementType.Float32, card.ElementType);
        Assert.Equal(floatCard.Mean, card.Mean);
        Assert.Equal("mnist-sample", card.DatasetName);
    }

    [Fact]
    public void TheFileHasAFreshIntegrityRecordThatVerifies()
    {
        var info = OnnxModel.Describe(fixture.Int8Path, Cpu);

        Assert.Equal(IntegrityStatus.Verified, info.Integrity.Status);
        Assert.Equal(GraphDigest.OfModel(File.ReadAllBytes(fixture.Int8Path)), info.Card.GraphSha256);
        var reference = Assert.IsType<ReferenceExamples>(info.Card.Reference);
        Assert.Equal(ReferenceExamples.CountFor(784, ElementType.Float32), reference.Count);
        Assert.Equal("logits", reference.OutputName);
    }

    [Fact]
    public void ATamperedInt8FileFailsItsIntegrityCheck()
    {
        var copy = fixture.Scratch("tampered.onnx");
        var bytes = File.ReadAllBytes(fixture.Int8Path);
        // A weight byte changed deep inside the graph.
        var model = Onnx.ModelProto.Parser.ParseFrom(bytes);
        var weight = model.Graph.Initializer.First(t => t.DataType == (int)Onnx.TensorProto.Types.DataType.Int8 && t.RawData.Length > 100);
        var raw = weight.RawData.ToByteArray();
        raw[10] ^= 0x40;
        weight.RawData = Google.Protobuf.ByteString.CopyFrom(raw);
        File.WriteAllBytes(copy, Google.Protobuf.MessageExtensions.ToByteArray(model));

        Assert.Throws<ModelIntegrityException>(() => OnnxModel.Load(copy, Cpu));
    }

    [Theory]
    [InlineData(CalibrationMethod.Percentile)]
    [InlineData(CalibrationMethod.Entropy)]
    public void EveryCalibrationMethodKeepsTheAccuracy(CalibrationMethod method)
    {
        var output = fixture.Scratch("model.int8.onnx");

        var result = ModelQuantizer.Quantize(fixture.FloatPath, QuantizedTinyModels.CardOf(fixture.FloatPath), output,
            QuantizedTinyModels.QuickOptions(method: method) with { Exclude = [] }, QuantizedTinyModels.Evaluate);

        Assert.InRange(result.DropPoints, -1.5, 1.5);
        Assert.Equal(method, result.Card.Quantization!.Calibration);
    }

    [Fact]
    public void ASabotagedCalibrationIsRefusedByTheGateAndNothingIsWritten()
    {
        // Calibrated on inputs a thousand times too small: every activation range is tiny, so real inputs saturate.
        var output = fixture.Scratch("model.int8.onnx");
        var options = QuantizedTinyModels.QuickOptions() with { Calibration = QuantizedTinyModels.MnistCalibration(64, scale: 0.001), MaxDrop = 0, Exclude = [] };

        var e = Assert.Throws<AccuracyDropException>(() =>
            ModelQuantizer.Quantize(fixture.FloatPath, QuantizedTinyModels.CardOf(fixture.FloatPath), output, options, QuantizedTinyModels.Evaluate));

        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("not written", e.Message);
        Assert.Contains("points below the float32 model", e.Message);
        Assert.Contains("--max-drop is 0", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(output)!));
    }

    [Fact]
    public void ByDefaultBothVariantsAreEvaluatedAndTheMoreQuantizedWinsATie()
    {
        var output = fixture.Scratch("model.int8.onnx");

        var result = ModelQuantizer.Quantize(fixture.FloatPath, QuantizedTinyModels.CardOf(fixture.FloatPath), output,
            QuantizedTinyModels.QuickOptions(), QuantizedTinyModels.Evaluate);

        Assert.Equal(2, result.Variants.Count);
        Assert.Empty(result.Variants[0].Excluded);
        // The first Conv and the last layer, the classic sensitive pair.
        Assert.Equal(["Conv_c1", "Gemm_logits"], result.Variants[1].Excluded);
        var margin = 1.5 / QuantizedTinyModels.TestCount;
        var expected = result.Variants[1].Accuracy > result.Variants[0].Accuracy + margin ? result.Variants[1] : result.Variants[0];
        Assert.Equal(expected.Excluded, result.Card.Quantization!.ExcludedNodes);
        Assert.Equal(expected.Accuracy, result.After.Accuracy);
    }

    [Fact]
    public void AnExcludedNodeStaysFloat32()
    {
        var output = fixture.Scratch("model.int8.onnx");

        var result = ModelQuantizer.Quantize(fixture.FloatPath, QuantizedTinyModels.CardOf(fixture.FloatPath), output,
            QuantizedTinyModels.QuickOptions() with { Exclude = ["Conv_c1"] }, QuantizedTinyModels.Evaluate);

        Assert.Equal(["Conv_c1"], result.Card.Quantization!.ExcludedNodes);
        Assert.Equal(["Conv_c2", "Gemm_logits"], result.QuantizedNodes);
        var model = OnnxGraphs.Read(output);
        var conv1 = model.Graph.Node.Single(n => n.Name == "Conv_c1");
        Assert.Equal((int)Onnx.TensorProto.Types.DataType.Float, OnnxGraphs.Initializer(model, conv1.Input[1]).DataType);
        Assert.Contains(model.Graph.Node, n => n.OpType == "Relu");
    }

    [Fact]
    public void AnUnknownExcludedNodeIsNamedWithTheQuantizableOnes()
    {
        var e = Assert.Throws<ToolchainException>(() => ModelQuantizer.Quantize(fixture.FloatPath, QuantizedTinyModels.CardOf(fixture.FloatPath),
            fixture.Scratch("x.onnx"), QuantizedTinyModels.QuickOptions() with { Exclude = ["conv9"] }, QuantizedTinyModels.Evaluate));

        Assert.Contains("'conv9'", e.Message);
        Assert.Contains("Conv_c1, Conv_c2, Gemm_logits", e.Message);
    }

    [Fact]
    public void TheInt8ModelClassifiesLikeTheFloatModelThroughTheLibrary()
    {
        var (images, _) = MnistSample.LoadTest(200);
        using var f = Imaging.ImageClassifier.Load(fixture.FloatPath, Cpu);
        using var q = Imaging.ImageClassifier.Load(fixture.Int8Path, Cpu);
        var agree = images.Count(image => f.ClassifyPixels(image).Label == q.ClassifyPixels(image).Label);

        Assert.InRange(agree, 190, 200);
    }
}
