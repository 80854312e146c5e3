using Toolchain.Trainer.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Tests.Models;

/// <summary>
/// oneDNN's JIT backward-data kernels leave parts of a convolution's input gradient unwritten on some CPUs (an
/// AMD EPYC VM with AVX-512 here) when the output channels are not a multiple of the vector block. These tests fail on
/// such a machine without <see cref="ConvolutionGradients"/>, and pass anywhere with it.
/// </summary>
public class ConvolutionGradientsTests
{
    [Theory]
    [InlineData("conv(6,3,pad=1) maxpool(2) conv(6,3) sigmoid avgpool(3,stride=2,pad=1) flatten linear(3)", new long[] { 1, 14, 14 })]
    [InlineData("conv(8,3,pad=1) relu conv(10,3,pad=1) relu flatten linear(4)", new long[] { 3, 9, 9 })]
    public void Float32_training_gradients_of_a_model_built_from_a_spec_match_float64_every_time(string text, long[] inputShape)
    {
        var spec = ArchitectureSpec.Parse(text);
        torch.manual_seed(3);
        using var model32 = ModelBuilder.Build(spec, inputShape);
        using var model64 = ModelBuilder.Build(spec, inputShape);
        model64.to(float64);
        using (no_grad())
        {
            foreach (var (a, b) in model32.parameters().Zip(model64.parameters()))
            {
                b.copy_(a);
            }
        }
        for (int trial = 0; trial < 5; trial++)
        {
            using var scope = NewDisposeScope();
            using var g = new Generator((ulong)(100 + trial));
            var x = randn([16, .. inputShape], generator: g);
            model32.zero_grad();
            model64.zero_grad();
            model32.forward(x).square().sum().backward();
            model64.forward(x.to(float64)).square().sum().backward();
            foreach (var ((name, p32), p64) in model32.named_parameters().Zip(model64.parameters()))
            {
                var error = (p32.grad!.to(float64) - p64.grad!).abs().max().item<double>();
                var scale = Math.Max(1, p64.grad!.abs().max().item<double>());
                Assert.True(error < 1e-3 * scale, $"trial {trial}: the gradient of {name} is off by {error} (NaN means unwritten memory)");
            }
        }
    }

    [Fact]
    public void Only_convolutions_after_a_trainable_layer_are_checked_the_first_one_never_needs_its_input_gradient()
    {
        var spec = ArchitectureSpec.Parse("maxpool(2) conv(4,3,pad=1) relu conv(6,3,stride=2) flatten linear(3)");

        var checkedConvs = ModelBuilder.ConvolutionsNeedingInputGradients(spec, [2, 12, 12]).ToList();

        Assert.Equal([new ConvGeometry(4, 6, 6, 6, 3, 2, 0, 1, 1)], checkedConvs);
    }

    [Fact]
    public void The_probe_recognises_a_right_gradient()
    {
        // Run after any switch-off: native convolutions are right, and so is oneDNN on a healthy machine.
        ConvolutionGradients.Verify([new ConvGeometry(6, 6, 7, 7, 3, 1, 0, 1, 1)]);

        Assert.True(ConvolutionGradients.InputGradientIsRight(new ConvGeometry(6, 6, 7, 7, 3, 1, 0, 1, 1)));
    }
}
