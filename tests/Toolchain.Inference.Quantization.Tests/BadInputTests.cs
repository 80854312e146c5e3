using Onnx;
using Toolchain.Contracts;
using Toolchain.Inference.Quantization.Calibration;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Quantization.Tests;

/// <summary>Models and data the quantizer refuses with one line, writing nothing.</summary>
public sealed class BadInputTests(QuantizedCnnFixture fixture) : IClassFixture<QuantizedCnnFixture>
{
    private static ToolchainException Refused(string model, QuantizationOptions options, string output)
    {
        var e = Assert.ThrowsAny<ToolchainException>(() =>
            ModelQuantizer.Quantize(model, QuantizedTinyModels.CardOf(model), output, options, QuantizedTinyModels.Evaluate));
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(File.Exists(output));
        return e;
    }

    [Fact]
    public void AnAlreadyQuantizedModel()
    {
        var e = Refused(fixture.Int8Path, QuantizedTinyModels.QuickOptions(), fixture.Scratch("again.onnx"));

        Assert.Contains(fixture.Int8Path, e.Message);
        Assert.Contains("already quantized", e.Message);
    }

    [Fact]
    public void AModelWithQuantizeNodesButNoCard()
    {
        // A foreign QDQ model (another tool's): caught by its operators, not its card.
        var stripped = fixture.Scratch("foreign-int8.onnx");
        var model = OnnxGraphs.Read(fixture.Int8Path);
        model.MetadataProps.Clear();
        File.WriteAllBytes(stripped, Google.Protobuf.MessageExtensions.ToByteArray(model));
        var card = QuantizedTinyModels.CardOf(fixture.FloatPath);

        var e = Assert.Throws<InvalidInputFileException>(() =>
            ModelQuantizer.Quantize(stripped, card, fixture.Scratch("x.onnx"), QuantizedTinyModels.QuickOptions(), QuantizedTinyModels.Evaluate));

        Assert.Contains("already quantized (it holds QuantizeLinear nodes)", e.Message);
    }

    [Fact]
    public void AnEmptyCalibrationSet()
    {
        var e = Refused(fixture.FloatPath, QuantizedTinyModels.QuickOptions() with { Calibration = new CalibrationData("empty/", [], 0) },
            fixture.Scratch("x.onnx"));

        Assert.Contains("calibration set empty/ is empty", e.Message);
    }

    [Fact]
    public void CalibrationValuesThatAreNotWholeExamples()
    {
        var e = Refused(fixture.FloatPath, QuantizedTinyModels.QuickOptions() with { Calibration = new CalibrationData("short", new float[100], 1) },
            fixture.Scratch("x.onnx"));

        Assert.Contains("784", e.Message);
    }

    [Fact]
    public void StaticInt8WithoutCalibration()
    {
        var e = Refused(fixture.FloatPath, QuantizedTinyModels.QuickOptions() with { Calibration = null }, fixture.Scratch("x.onnx"));

        Assert.Contains("--calibration", e.Message);
        Assert.Contains("--dynamic", e.Message);
    }

    [Fact]
    public void AFloat64Model()
    {
        var xor = TinyOnnxModels.WriteBinary(fixture.Scratch("xor.onnx"));

        var e = Refused(xor, QuantizedTinyModels.QuickOptions(QuantizationFormat.Int8Dynamic), fixture.Scratch("x.onnx"));

        Assert.Contains("float64", e.Message);
    }

    [Fact]
    public void AnOpsetTooOldForPerChannelQuantization()
    {
        var old = fixture.Scratch("opset11.onnx");
        var model = OnnxGraphs.Read(fixture.FloatPath);
        model.OpsetImport.Single(o => o.Domain == "").Version = 11;
        File.WriteAllBytes(old, Google.Protobuf.MessageExtensions.ToByteArray(model));

        var e = Refused(old, QuantizedTinyModels.QuickOptions(), fixture.Scratch("x.onnx"));

        Assert.Contains("opset 11", e.Message);
        Assert.Contains("13", e.Message);
    }

    [Fact]
    public void AModelWithNothingToQuantizeNamesItsOperators()
    {
        // The band classifier with its weights fed at run time (a second graph input): no Gemm has constant weights.
        var path = fixture.Scratch("fed-weights.onnx");
        var model = OnnxGraphs.Read(TinyOnnxModels.WriteImageClassifier(fixture.Scratch("band.onnx")));
        var gemm = model.Graph.Node.Single(n => n.OpType == "Gemm");
        var weight = model.Graph.Initializer.Single(t => t.Name == gemm.Input[1]);
        model.Graph.Initializer.Remove(weight);
        var type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } };
        model.Graph.Input.Add(new ValueInfoProto { Name = weight.Name, Type = type });
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(model));

        var e = Refused(path, QuantizedTinyModels.QuickOptions(QuantizationFormat.Int8Dynamic), fixture.Scratch("x.onnx"));

        Assert.Contains(path, e.Message);
        Assert.Contains("nothing to quantize", e.Message);
        Assert.Contains("Flatten, Gemm, Softmax", e.Message);
    }

    [Fact]
    public void OperatorsThatAreNotQuantizedStayFloatAndAreNamed()
    {
        var card = fixture.Result.Card.Quantization!;

        Assert.Equal(["Softmax"], card.FloatOperators);
        Assert.Contains(OnnxGraphs.Read(fixture.Int8Path).Graph.Node, n => n.OpType == "Softmax");
    }
}
