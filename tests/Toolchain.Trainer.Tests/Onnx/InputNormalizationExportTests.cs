using Toolchain.Trainer.Onnx;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Tests.Onnx;

public class InputNormalizationExportTests
{
    private static readonly double[] Means = [5.8, 3.05, 3.7, 1.2];
    private static readonly double[] Stds = [0.83, 0.43, 1.76, 0.76];

    [Fact]
    public void ONNX_on_raw_features_equals_TorchSharp_on_features_standardised_as_the_trainer_does_within_1e_5()
    {
        using var f = new ExportFixture("linear(16) relu linear(3)", [4]);
        var request = f.Request() with { InputNormalization = (Means, Stds) };

        var result = OnnxExporter.Export(request, f.PathFor());

        Assert.InRange(result.MaxAbsDiff, 0, 1e-5);
        using var normalised = f.Inputs(50, 11);
        using var mean = tensor(Means, [1, 4], float64);
        using var std = tensor(Stds, [1, 4], float64);
        using var raw = normalised.to(float64).mul(std).add(mean).to(float32);
        // Standardised again as the trainer standardises table features: as the graph's float32 Sub and Div do.
        var standardised = Toolchain.Trainer.Training.FeatureStandardization.Apply(raw.to(float64).data<double>().ToArray(), Means, Stds);
        using var renormalised = tensor(standardised, [50, 4]);
        using var ort = new OrtRunner(result.Path);
        var got = ort.Run(raw)["logits"].Data;
        Assert.InRange(OrtRunner.MaxAbsDiff(f.Torch(renormalised).Output, got), 0, 1e-5);
        // And the graph really does the normalising: fed the normalised values, it answers differently.
        Assert.True(OrtRunner.MaxAbsDiff(f.Torch(renormalised).Output, ort.Run(normalised)["logits"].Data) > 1e-2);
    }

    [Fact]
    public void The_graph_starts_with_a_Sub_and_a_Div_holding_the_means_and_stds()
    {
        using var f = new ExportFixture("linear(3)", [4]);

        var result = OnnxExporter.Export(f.Request() with { InputNormalization = (Means, Stds) }, f.PathFor());

        var graph = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(result.Path)).Graph;
        Assert.Equal(["Sub", "Div"], graph.Node.Take(2).Select(n => n.OpType));
        Assert.Equal("input", graph.Node[0].Input[0]);
        var mean = graph.Initializer.Single(i => i.Name == "input.mean");
        var values = mean.FloatData.Count > 0 ? mean.FloatData.ToArray() : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(mean.RawData.Span).ToArray();
        Assert.Equal(Means.Select(v => (float)v), values);
    }
}
