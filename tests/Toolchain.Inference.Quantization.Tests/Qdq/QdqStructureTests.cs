using Onnx;
using Toolchain.TestSupport;
using static Toolchain.Inference.Quantization.Tests.OnnxGraphs;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Toolchain.Inference.Quantization.Tests.Qdq;

/// <summary>The QDQ graph written for the trained tiny CNN, checked node by node against ONNX Runtime's conventions.</summary>
public sealed class QdqStructureTests(QuantizedCnnFixture fixture) : IClassFixture<QuantizedCnnFixture>
{
    private ModelProto Model => Read(fixture.Int8Path);

    [Fact]
    public void TheFileImportsAnOpsetWithPerChannelDequantize()
    {
        Assert.True(Model.OpsetImport.Single(o => o.Domain == "").Version >= 13);
    }

    [Fact]
    public void EveryConvAndGemmReadsInt8WeightsPerOutputChannelAndAnInt32Bias()
    {
        var model = Model;
        var weighted = model.Graph.Node.Where(n => n.OpType is "Conv" or "Gemm").ToList();
        Assert.Equal(3, weighted.Count);
        foreach (var node in weighted)
        {
            var weightDq = Producer(model, node.Input[1]);
            Assert.Equal("DequantizeLinear", weightDq.OpType);
            Assert.Equal(0, weightDq.Attribute.Single(a => a.Name == "axis").I);
            var weight = Initializer(model, weightDq.Input[0]);
            Assert.Equal((int)DataType.Int8, weight.DataType);
            var channels = weight.Dims[0];
            var weightScale = Initializer(model, weightDq.Input[1]);
            Assert.Equal([channels], weightScale.Dims);
            var weightZero = Initializer(model, weightDq.Input[2]);
            Assert.Equal((int)DataType.Int8, weightZero.DataType);
            Assert.All(weightZero.RawData.ToByteArray(), b => Assert.Equal(0, b));
            // Symmetric: each channel's largest weight is ±127.
            var values = weight.RawData.ToByteArray().Select(b => (sbyte)b).ToArray();
            var perChannel = values.Length / (int)channels;
            for (var c = 0; c < channels; c++)
            {
                Assert.Equal(127, values.Skip(c * perChannel).Take(perChannel).Max(v => Math.Abs((int)v)));
            }

            var biasDq = Producer(model, node.Input[2]);
            Assert.Equal("DequantizeLinear", biasDq.OpType);
            Assert.Equal((int)DataType.Int32, Initializer(model, biasDq.Input[0]).DataType);
            var inputDq = Producer(model, node.Input[0]);
            Assert.Equal("DequantizeLinear", inputDq.OpType);
            var inputScale = Floats(Initializer(model, inputDq.Input[1])).Single();
            var biasScales = Floats(Initializer(model, biasDq.Input[1]));
            Assert.Equal(Floats(weightScale).Select(s => inputScale * s), biasScales);
        }
    }

    [Fact]
    public void ActivationsArePairedAndTheReluFoldedIntoTheirQuantization()
    {
        var model = Model;
        // Both Relus are gone: the conv outputs' ranges start at 0, so their (uint8) zero point is 0.
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "Relu");
        foreach (var conv in model.Graph.Node.Where(n => n.OpType == "Conv"))
        {
            var q = model.Graph.Node.Single(n => n.OpType == "QuantizeLinear" && n.Input[0] == conv.Output[0]);
            Assert.Equal(0, Initializer(model, q.Input[2]).RawData[0]);
            Assert.Equal((int)DataType.Uint8, Initializer(model, q.Input[2]).DataType);
        }
        Assert.All(model.Graph.Node.Where(n => n.OpType == "QuantizeLinear"),
            q => Assert.Equal((int)DataType.Uint8, Initializer(model, q.Input[2]).DataType));
        // MaxPool and Flatten pass 8-bit values on: their output pairs repeat their input's scale.
        foreach (var pool in model.Graph.Node.Where(n => n.OpType is "MaxPool" or "Flatten"))
        {
            var inScale = Floats(Initializer(model, Producer(model, pool.Input[0]).Input[1]));
            var outQ = model.Graph.Node.Single(n => n.OpType == "QuantizeLinear" && n.Input[0] == pool.Output[0]);
            Assert.Equal(inScale, Floats(Initializer(model, outQ.Input[1])));
        }
        // The logits, a graph output, stay float32: the last Gemm writes them directly.
        Assert.Equal("Gemm", Producer(model, "logits").OpType);
        Assert.Equal("Softmax", Producer(model, "probabilities").OpType);
    }

    [Fact]
    public void SignedActivationsAreTheS8S8FormWithZeroPointMinus128AfterARelu()
    {
        var output = fixture.Scratch("model.s8s8.onnx");

        var result = ModelQuantizer.Quantize(fixture.FloatPath, QuantizedTinyModels.CardOf(fixture.FloatPath), output,
            QuantizedTinyModels.QuickOptions() with { Exclude = [], SignedActivations = true }, QuantizedTinyModels.Evaluate);

        var model = Read(output);
        var conv = model.Graph.Node.First(n => n.OpType == "Conv");
        var q = model.Graph.Node.Single(n => n.OpType == "QuantizeLinear" && n.Input[0] == conv.Output[0]);
        Assert.Equal((int)DataType.Int8, Initializer(model, q.Input[2]).DataType);
        Assert.Equal(-128, (sbyte)Initializer(model, q.Input[2]).RawData[0]);
        Assert.Equal("int8", result.Card.Quantization!.Activations);
        Assert.InRange(result.DropPoints, -1, 1);
        // A chain without fan-out is converted to uint8 by ONNX Runtime and fused as well.
        Assert.Equal(2, OptimizedOperators(output).Count(o => o == "QLinearConv"));
    }

    [Fact]
    public void OnnxRuntimeRunsItAsIntegerKernels()
    {
        var operators = OptimizedOperators(fixture.Int8Path);

        Assert.Equal(2, operators.Count(o => o == "QLinearConv"));
        Assert.Equal(1, operators.Count(o => o == "QGemm"));
        Assert.DoesNotContain("Conv", operators);
        Assert.DoesNotContain("Gemm", operators);
    }

    [Fact]
    public void TheFloatWeightsAreGoneAndTheWeightsTakeAboutAQuarterOfTheBytes()
    {
        var model = Model;
        Assert.DoesNotContain(model.Graph.Initializer, t => t.Name is "c1w" or "c2w" or "fw");
        static long WeightBytes(ModelProto m) => m.Graph.Initializer.Sum(t => (long)t.RawData.Length);
        Assert.InRange(WeightBytes(model), 1, WeightBytes(Read(fixture.FloatPath)) * 0.3);
        Assert.Equal(new FileInfo(fixture.Int8Path).Length, fixture.Result.QuantizedBytes);
        Assert.Equal(new FileInfo(fixture.FloatPath).Length, fixture.Result.FloatBytes);
    }
}

/// <summary>A residual block (a tensor read twice, an Add of two activations), the shape of every ResNet stage.</summary>
public sealed class ResidualStructureTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void EveryConvAndTheResidualAddRunAsIntegerKernelsAndAccuracyHolds()
    {
        var floatPath = TinyOnnxModels.WriteResidualCnn(_dir.File("residual.onnx"));
        var output = _dir.File("residual.int8.onnx");

        var result = ModelQuantizer.Quantize(floatPath, QuantizedTinyModels.CardOf(floatPath), output,
            QuantizedTinyModels.QuickOptions() with { Exclude = [] }, QuantizedTinyModels.Evaluate);

        Assert.Contains("Add_sum", result.QuantizedNodes);
        Assert.InRange(result.Before.Accuracy, 0.7, 1);
        Assert.InRange(result.DropPoints, -1, 1);
        var operators = OptimizedOperators(output);
        Assert.Equal(3, operators.Count(o => o == "QLinearConv"));
        Assert.Equal(1, operators.Count(o => o == "QLinearAdd"));
        Assert.DoesNotContain("Conv", operators);
        Assert.DoesNotContain("Add", operators);
    }
}
