using Toolchain.Contracts;
using Toolchain.Inference.Runtime;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Quantization.Tests.Dynamic;

/// <summary>Dynamic INT8 of a table MLP: ONNX Runtime's MatMulInteger pattern, fused into its dynamic kernel, accuracy kept.</summary>
public sealed class DynamicQuantizationTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static ModelEvaluation EvaluateBlobs(string path)
    {
        var (x, y) = TinyOnnxModels.TableBlobs(900, seed: 2);
        using var model = OnnxModel.Load(path, new OnnxModelOptions { Provider = ExecutionProvider.Cpu, IntraOpThreads = 1 });
        var predictions = model.Classify(x, y.Length);
        return new ModelEvaluation(predictions.Where((p, i) => p.Label == y[i]).Count() / (double)y.Length, y.Length, "blobs", true);
    }

    [Fact]
    public void TheMlpsGemmsBecomeDynamicMatMulIntegersThatOnnxRuntimeFuses()
    {
        var mlp = TinyOnnxModels.WriteTableMlp(_dir.File("mlp.onnx"));
        var output = _dir.File("mlp.int8.onnx");

        var result = ModelQuantizer.Quantize(mlp, QuantizedTinyModels.CardOf(mlp), output,
            QuantizedTinyModels.QuickOptions(QuantizationFormat.Int8Dynamic), EvaluateBlobs);

        Assert.InRange(result.Before.Accuracy, 0.9, 1);
        Assert.InRange(result.DropPoints, -1, 1);
        var model = OnnxGraphs.Read(output);
        Assert.Equal(2, model.Graph.Node.Count(n => n.OpType == "DynamicQuantizeLinear"));
        Assert.Equal(2, model.Graph.Node.Count(n => n.OpType == "MatMulInteger"));
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "Gemm");
        // The first layer's weight, transposed to [K=4, N=32], per column.
        var weight = model.Graph.Initializer.Single(t => t.Name == "w1_quantized");
        Assert.Equal([4L, 32], weight.Dims);
        Assert.Equal([32L], model.Graph.Initializer.Single(t => t.Name == "w1_scale").Dims);
        Assert.Equal(2, OnnxGraphs.OptimizedOperators(output).Count(o => o is "DynamicQuantizeMatMul" or "MatMulIntegerToFloat"));
        var q = result.Card.Quantization!;
        Assert.Equal(QuantizationFormat.Int8Dynamic, q.Format);
        Assert.Null(q.Calibration);
        Assert.Equal(0, q.CalibrationSamples);
        Assert.Equal(["Relu", "Softmax"], q.FloatOperators);
        // Measured on the card's own test set: the card's test accuracy is the INT8 model's.
        Assert.Equal(result.After.Accuracy, result.Card.TestAccuracy);
        Assert.Equal(IntegrityStatus.Verified, OnnxModel.Describe(output).Integrity.Status);
    }
}
