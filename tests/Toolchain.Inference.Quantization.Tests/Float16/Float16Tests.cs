using Toolchain.Contracts;
using Toolchain.Inference.Runtime;
using Toolchain.TestSupport;
using DataType = Onnx.TensorProto.Types.DataType;

namespace Toolchain.Inference.Quantization.Tests.Float16;

/// <summary>float16 for GPU serving, checked on the CPU: float32 at the edges, float16 inside, the same answers.</summary>
public sealed class Float16Tests(QuantizedCnnFixture fixture) : IClassFixture<QuantizedCnnFixture>
{
    [Fact]
    public void WeightsAreFloat16AndTheEdgesFloat32AndTheCpuAgrees()
    {
        var output = fixture.Scratch("model.fp16.onnx");

        var result = ModelQuantizer.Quantize(fixture.FloatPath, QuantizedTinyModels.CardOf(fixture.FloatPath), output,
            QuantizedTinyModels.QuickOptions(QuantizationFormat.Float16), QuantizedTinyModels.Evaluate);

        var model = OnnxGraphs.Read(output);
        Assert.All(model.Graph.Initializer.Where(t => t.Name is "c1w" or "c2w" or "fw"), t => Assert.Equal((int)DataType.Float16, t.DataType));
        Assert.DoesNotContain(model.Graph.Initializer, t => t.DataType == (int)DataType.Float);
        Assert.Equal((int)DataType.Float, model.Graph.Input.Single().Type.TensorType.ElemType);
        Assert.All(model.Graph.Output, o => Assert.Equal((int)DataType.Float, o.Type.TensorType.ElemType));
        Assert.Equal("Cast", OnnxGraphs.Producer(model, "logits").OpType);
        Assert.InRange(result.DropPoints, -0.5, 0.5);
        Assert.Equal(QuantizationFormat.Float16, result.Card.Quantization!.Format);

        // Parity on the CPU: probabilities within float16's precision of the float32 model's.
        var (images, _) = MnistSample.LoadTest(100);
        var cpu = new OnnxModelOptions { Provider = ExecutionProvider.Cpu, IntraOpThreads = 1 };
        using var f32 = Imaging.ImageClassifier.Load(fixture.FloatPath, cpu);
        using var f16 = Imaging.ImageClassifier.Load(output, cpu);
        var worst = images.Max(image => f32.ClassifyPixels(image).Probabilities.Zip(f16.ClassifyPixels(image).Probabilities, (a, b) => Math.Abs(a - b)).Max());
        Assert.InRange(worst, 0, 0.02);
    }
}
