using Toolchain.Trainer.Onnx;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Tests.Onnx;

public class OnnxExporterParityTests
{
    public static TheoryData<string, long[]> Float32Nets => new()
    {
        { "conv(6,3,stride=2,pad=1) relu flatten linear(5)", [3, 11, 11] },
        { "conv(4,3,pad=2,dilation=2) tanh conv(8,3,pad=1,groups=4) leakyrelu(0.2) flatten linear(4)", [2, 10, 10] },
        { "conv(6,3,pad=1) maxpool(2) conv(6,3) sigmoid avgpool(3,stride=2,pad=1) flatten linear(3)", [1, 14, 14] },
        { "maxpool(3,stride=2,pad=1) avgpool(3,stride=1,pad=1) flatten linear(3)", [2, 9, 9] },
        { "conv(4,3,pad=1) batchnorm relu maxpool(2) flatten linear(16) batchnorm sigmoid dropout(0.3) linear(10)", [1, 12, 12] },
        { "flatten linear(64) relu dropout(0.2) linear(10)", [1, 28, 28] },
        { "conv(8,3,pad=1) relu maxpool(2) conv(16,3,pad=1) relu maxpool(2) flatten linear(64) relu dropout(0.25) linear(10)", [1, 28, 28] },
        { "linear(8) leakyrelu linear(8) tanh linear(2) sigmoid", [2] },
        { "linear(4) relu linear(1) sigmoid", [2] },
    };

    public static TheoryData<string, long[]> Float64Nets => new()
    {
        { "linear(2) sigmoid linear(1) sigmoid", [2] },
        { "linear(8) batchnorm leakyrelu linear(8) batchnorm(eps=0.001) leakyrelu(0.25) dropout linear(3)", [2] },
        { "linear(6) tanh linear(6) relu linear(1) sigmoid", [2] },
        { "flatten linear(5) batchnorm(eps=0.0003) sigmoid linear(4)", [3] },
    };

    [Theory]
    [MemberData(nameof(Float32Nets))]
    public void A_float32_net_exported_to_ONNX_matches_TorchSharp_within_1e_5(string spec, long[] inputShape) =>
        ExportAndCompare(spec, inputShape, ScalarType.Float32, 1e-5);

    [Theory]
    [MemberData(nameof(Float64Nets))]
    public void A_float64_net_exported_to_ONNX_matches_TorchSharp_within_1e_12(string spec, long[] inputShape) =>
        ExportAndCompare(spec, inputShape, ScalarType.Float64, 1e-12);

    [Fact]
    public void Batches_of_1_7_and_256_all_run_and_match()
    {
        using var f = new ExportFixture("conv(4,3,pad=1) batchnorm relu avgpool(2) flatten linear(10)", [1, 8, 8]);
        var result = f.Export();
        using var ort = new OrtRunner(result.Path);
        foreach (var batch in new long[] { 1, 7, 256 })
        {
            using var x = f.Inputs(batch, (int)batch);
            var got = ort.Run(x);
            var (logits, probabilities) = f.Torch(x);
            Assert.Equal(new[] { batch, 10L }, got["logits"].Shape);
            Assert.Equal(new[] { batch, 10L }, got["probabilities"].Shape);
            Assert.InRange(OrtRunner.MaxAbsDiff(logits, got["logits"].Data), 0, 1e-5);
            Assert.InRange(OrtRunner.MaxAbsDiff(probabilities!, got["probabilities"].Data), 0, 1e-5);
        }
    }

    [Fact]
    public void Batchnorm_running_statistics_are_exported_after_training_moved_them()
    {
        using var f = new ExportFixture("linear(6) batchnorm relu linear(3)", [4], trainSteps: 5);
        var bn = f.Model.named_children().ElementAt(1).module;
        var mean = bn.named_buffers(recurse: false).Single(b => b.name == "running_mean").buffer;
        Assert.True(mean.abs().max().item<float>() > 0.05, "training should have moved the running mean away from 0");

        var result = f.Export();

        using var ort = new OrtRunner(result.Path);
        using var x = f.Inputs(9, 5);
        Assert.InRange(OrtRunner.MaxAbsDiff(f.Torch(x).Output, ort.Run(x)["logits"].Data), 0, 1e-5);
    }

    [Fact]
    public void Export_puts_a_model_left_in_training_mode_back_in_training_mode_and_leaves_the_callers_tensors_usable()
    {
        using var f = new ExportFixture("linear(4) dropout(0.5) linear(3)", [2]);
        f.Model.train();
        float before = f.VerificationInputs.sum().item<float>();

        f.Export();

        Assert.True(f.Model.training);
        Assert.Equal(before, f.VerificationInputs.sum().item<float>());
        Assert.Equal(27L, f.Model.parameters().Sum(p => p.numel())); // 2*4+4 + 4*3+3: parameters still alive
    }

    private static void ExportAndCompare(string spec, long[] inputShape, ScalarType dtype, double tolerance)
    {
        using var f = new ExportFixture(spec, inputShape, dtype);

        var result = f.Export();

        Assert.InRange(result.MaxAbsDiff, 0, tolerance);
        Assert.Equal(16 + 1 + 7 + 24, result.VerifiedSamples);
        Assert.Equal(result.MaxAbsDiff, result.Card.ExportParity);
        // An independent check on inputs the exporter never saw.
        using var ort = new OrtRunner(result.Path);
        using var x = f.Inputs(33, 77);
        var got = ort.Run(x);
        var (output, probabilities) = f.Torch(x);
        if (probabilities is null)
        {
            Assert.Equal(new[] { "probability" }, got.Keys);
            Assert.InRange(OrtRunner.MaxAbsDiff(output, got["probability"].Data), 0, tolerance);
        }
        else
        {
            Assert.Equal(new[] { "logits", "probabilities" }, got.Keys.Order());
            Assert.InRange(OrtRunner.MaxAbsDiff(output, got["logits"].Data), 0, tolerance);
            Assert.InRange(OrtRunner.MaxAbsDiff(probabilities, got["probabilities"].Data), 0, tolerance);
        }
        Console.WriteLine($"parity {dtype} {spec}: {result.MaxAbsDiff:E2}");
    }
}
