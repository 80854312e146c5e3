using Toolchain.Trainer.Models;
using Toolchain.Trainer.Models.Layers;

namespace Toolchain.Trainer.Tests.Models;

public class ArchitectureSpecTests
{
    private const string Cnn = "conv(32,3,pad=1) relu maxpool(2) conv(64,3,pad=1) relu maxpool(2) flatten linear(128) relu dropout(0.25) linear(10)";

    [Fact]
    public void The_cnn_spec_parses_to_its_layers_and_round_trips()
    {
        var spec = ArchitectureSpec.Parse(Cnn);
        Assert.Equal(11, spec.Layers.Count);
        Assert.Equal(1, Assert.IsType<ConvLayer>(spec.Layers[0]).Padding);
        Assert.Equal(0.25, Assert.IsType<DropoutLayer>(spec.Layers[9]).P);
        Assert.Equal(Cnn, spec.Canonical);
        Assert.Equal(spec.Canonical, ArchitectureSpec.Parse(spec.Canonical).Canonical);
    }

    [Fact]
    public void Shapes_are_inferred_through_conv_pool_and_flatten()
    {
        var shapes = ArchitectureSpec.Parse(Cnn).InferShapes([1, 28, 28]);
        Assert.Equal(new long[] { 32, 28, 28 }, shapes[0]);
        Assert.Equal(new long[] { 64, 7, 7 }, shapes[5]);
        Assert.Equal(new long[] { 3136 }, shapes[6]);
        Assert.Equal(new long[] { 10 }, shapes[^1]);
    }

    [Fact]
    public void Conv_with_stride_and_dilation_has_the_pytorch_output_size()
    {
        var shapes = ArchitectureSpec.Parse("conv(4,3,stride=2,pad=1,dilation=2)").InferShapes([1, 28, 28]);
        Assert.Equal(new long[] { 4, 13, 13 }, shapes[0]);
    }

    [Theory]
    [InlineData("conv(32,3) foo linear(10)", "foo", 11, "unknown layer 'foo'")]
    [InlineData("linear(0)", "linear(0)", 0, "'out' must be a whole number from 1")]
    [InlineData("relu linear", "linear", 5, "linear needs 'out'")]
    [InlineData("conv(8,3,stide=2)", "conv(8,3,stide=2)", 0, "conv has no argument 'stide'")]
    [InlineData("dropout(1.5)", "dropout(1.5)", 0, "'p' must be a number from 0")]
    [InlineData("relu(3)", "relu(3)", 0, "relu takes at most 0 positional")]
    [InlineData("linear(10) $", "$", 11, "cannot read a layer")]
    [InlineData("relu linear(10", "linear(10", 5, "has an unclosed '('")]
    public void A_bad_spec_names_the_offending_token(string text, string token, int position, string problem)
    {
        var e = Assert.Throws<SpecParseException>(() => ArchitectureSpec.Parse(text));
        Assert.Equal(token, e.Token);
        Assert.Equal(position, e.Position);
        Assert.Contains(problem, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_layer_that_does_not_fit_its_input_is_named()
    {
        var spec = ArchitectureSpec.Parse("conv(8,3) relu linear(10)");
        var e = Assert.Throws<SpecParseException>(() => spec.InferShapes([1, 28, 28]));
        Assert.Equal("linear(10)", e.Token);
        Assert.Contains("add 'flatten'", e.Message);
    }

    [Fact]
    public void A_pool_larger_than_its_input_is_refused()
    {
        var spec = ArchitectureSpec.Parse("linear(4) maxpool(2)");
        Assert.Throws<SpecParseException>(() => spec.InferShapes([2]));
        var tiny = ArchitectureSpec.Parse("maxpool(8) maxpool(8)");
        var e = Assert.Throws<SpecParseException>(() => tiny.InferShapes([1, 28, 28]));
        Assert.Equal(11, e.Position);
    }
}
