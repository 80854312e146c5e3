using Toolchain.Trainer.Models;

namespace Toolchain.Trainer.Tests.Models;

/// <summary>
/// Every parse and fit message of the spec, word for word, as it was before the layer kinds became one type each:
/// the caret (&gt;&gt;&gt;token&lt;&lt;&lt;) still points at the token, and a good spec still reads back to its canonical text.
/// </summary>
public class SpecMessageTests
{
    public static TheoryData<string, string?, string> Cases => new()
    {
        { "conv(32,3) foo linear(10)", null, "arch: unknown layer 'foo' (known: linear, conv, maxpool, avgpool, relu, sigmoid, tanh, leakyrelu, dropout, flatten, batchnorm) at 'foo' (character 12): conv(32,3) >>>foo<<< linear(10)" },
        { "linear(0)", null, "arch: 'out' must be a whole number from 1, not '0' at 'linear(0)' (character 1): >>>linear(0)<<<" },
        { "relu linear", null, "arch: linear needs 'out' at 'linear' (character 6): relu >>>linear<<<" },
        { "conv(8,3,stide=2)", null, "arch: conv has no argument 'stide' at 'conv(8,3,stide=2)' (character 1): >>>conv(8,3,stide=2)<<<" },
        { "dropout(1.5)", null, "arch: 'p' must be a number from 0 to 0.999999, not '1.5' at 'dropout(1.5)' (character 1): >>>dropout(1.5)<<<" },
        { "relu(3)", null, "arch: relu takes at most 0 positional argument(s) at 'relu(3)' (character 1): >>>relu(3)<<<" },
        { "linear(10) $", null, "arch: cannot read a layer at '$' (character 12): linear(10) >>>$<<<" },
        { "relu linear(10", null, "arch: has an unclosed '(' at 'linear(10' (character 6): relu >>>linear(10<<<" },
        { "conv(8)", null, "arch: conv needs 'kernel' at 'conv(8)' (character 1): >>>conv(8)<<<" },
        { "conv(8,3,1,1,1,1,1)", null, "arch: conv takes at most 6 positional argument(s) at 'conv(8,3,1,1,1,1,1)' (character 1): >>>conv(8,3,1,1,1,1,1)<<<" },
        { "conv(8,3,pad=-1)", null, "arch: 'pad' must be a whole number from 0, not '-1' at 'conv(8,3,pad=-1)' (character 1): >>>conv(8,3,pad=-1)<<<" },
        { "conv(8,3,stride=2,stride=3)", null, "arch: argument 'stride' given twice at 'conv(8,3,stride=2,stride=3)' (character 1): >>>conv(8,3,stride=2,stride=3)<<<" },
        { "conv(8,3,2,stride=3)", null, "arch: 'stride' given twice at 'conv(8,3,2,stride=3)' (character 1): >>>conv(8,3,2,stride=3)<<<" },
        { "conv(8,3,pad=1,2)", null, "arch: positional argument after a named one at 'conv(8,3,pad=1,2)' (character 1): >>>conv(8,3,pad=1,2)<<<" },
        { "dense(4,5)", null, "arch: dense takes at most 1 positional argument(s) at 'dense(4,5)' (character 1): >>>dense(4,5)<<<" },
        { "fc(x)", null, "arch: 'out' must be a whole number from 1, not 'x' at 'fc(x)' (character 1): >>>fc(x)<<<" },
        { "leakyrelu(-1)", null, "arch: 'slope' must be a number from 0 to 1.7976931348623157E+308, not '-1' at 'leakyrelu(-1)' (character 1): >>>leakyrelu(-1)<<<" },
        { "leakyrelu(nan)", null, "arch: 'slope' must be a number from 0 to 1.7976931348623157E+308, not 'nan' at 'leakyrelu(nan)' (character 1): >>>leakyrelu(nan)<<<" },
        { "batchnorm(eps=0)", null, "arch: 'eps' must be a number from 1E-12 to 1, not '0' at 'batchnorm(eps=0)' (character 1): >>>batchnorm(eps=0)<<<" },
        { "bn(1e-5,2)", null, "arch: 'momentum' must be a number from 0 to 1, not '2' at 'bn(1e-5,2)' (character 1): >>>bn(1e-5,2)<<<" },
        { "maxpool", null, "arch: maxpool needs 'kernel' at 'maxpool' (character 1): >>>maxpool<<<" },
        { "avgpool(3,2,1,1)", null, "arch: avgpool takes at most 3 positional argument(s) at 'avgpool(3,2,1,1)' (character 1): >>>avgpool(3,2,1,1)<<<" },
        { "maxpool2d(3,padding=1,pad=1)", null, "arch: maxpool2d has no argument 'padding' at 'maxpool2d(3,padding=1,pad=1)' (character 1): >>>maxpool2d(3,padding=1,pad=1)<<<" },
        { "linear(100001)", null, "arch: 'out' must be a whole number from 1, not '100001' at 'linear(100001)' (character 1): >>>linear(100001)<<<" },
        { "linear(,)", null, "arch: empty argument at 'linear(,)' (character 1): >>>linear(,)<<<" },
        { "linear()", null, "arch: empty argument at 'linear()' (character 1): >>>linear()<<<" },
        { "", null, "arch: the spec has no layers at '' (character 1): >>><<<" },
        { "  ", null, "arch: the spec has no layers at '  ' (character 1): >>>  <<<" },
        { "conv2d(4,3,groups=0)", null, "arch: 'groups' must be a whole number from 1, not '0' at 'conv2d(4,3,groups=0)' (character 1): >>>conv2d(4,3,groups=0)<<<" },
        { "tanh(0.1)", null, "arch: tanh takes at most 0 positional argument(s) at 'tanh(0.1)' (character 1): >>>tanh(0.1)<<<" },
        { "flatten(1)", null, "arch: flatten takes at most 0 positional argument(s) at 'flatten(1)' (character 1): >>>flatten(1)<<<" },
        { "sigmoid(x=1)", null, "arch: sigmoid has no argument 'x' at 'sigmoid(x=1)' (character 1): >>>sigmoid(x=1)<<<" },
        { "linear(4)->relu,,linear(2)", null, "OK linear(4) relu linear(2)" },
        { "Linear(4) RELU", null, "OK linear(4) relu" },
        { "batchnorm(momentum=1.5)", null, "arch: 'momentum' must be a number from 0 to 1, not '1.5' at 'batchnorm(momentum=1.5)' (character 1): >>>batchnorm(momentum=1.5)<<<" },
        { "dropout(p=0.999999)", null, "OK dropout(0.999999)" },
        { "conv(8,3) relu linear(10)", "1,28,28", "arch: layer linear needs a flat input but gets [8,26,26]; add 'flatten' before it at 'linear(10)' (character 16): conv(8,3) relu >>>linear(10)<<<" },
        { "linear(4) maxpool(2)", "2", "arch: layer maxpool needs a [channels,height,width] input but gets [4] at 'maxpool(2)' (character 11): linear(4) >>>maxpool(2)<<<" },
        { "maxpool(8) maxpool(8)", "1,28,28", "arch: layer maxpool gives an empty output [1,0,0] at 'maxpool(8)' (character 12): maxpool(8) >>>maxpool(8)<<<" },
        { "conv(6,3,groups=4)", "2,8,8", "arch: layer conv groups=4 must divide both input channels 2 and output channels 6 at 'conv(6,3,groups=4)' (character 1): >>>conv(6,3,groups=4)<<<" },
        { "conv(4,3,groups=2)", "3,8,8", "arch: layer conv groups=2 must divide both input channels 3 and output channels 4 at 'conv(4,3,groups=2)' (character 1): >>>conv(4,3,groups=2)<<<" },
        { "maxpool(3,pad=2)", "1,8,8", "arch: layer maxpool padding must be at most half the kernel size at 'maxpool(3,pad=2)' (character 1): >>>maxpool(3,pad=2)<<<" },
        { "avgpool(2,pad=2)", "1,8,8", "arch: layer avgpool padding must be at most half the kernel size at 'avgpool(2,pad=2)' (character 1): >>>avgpool(2,pad=2)<<<" },
        { "linear(3) batchnorm", "2", "OK [3];[3]" },
        { "flatten batchnorm", "1,4,4", "OK [16];[16]" },
        { "conv(2,3) flatten conv(2,3)", "1,8,8", "arch: layer conv needs a [channels,height,width] input but gets [72] at 'conv(2,3)' (character 19): conv(2,3) flatten >>>conv(2,3)<<<" },
        { "batchnorm", "1,2", "arch: layer batchnorm needs a flat or [channels,height,width] input but gets [1,2] at 'batchnorm' (character 1): >>>batchnorm<<<" },
        { "conv(2,30)", "1,8,8", "arch: layer conv gives an empty output [2,0,0] at 'conv(2,30)' (character 1): >>>conv(2,30)<<<" },
        { "avgpool(3)", "2", "arch: layer avgpool needs a [channels,height,width] input but gets [2] at 'avgpool(3)' (character 1): >>>avgpool(3)<<<" },
        { "conv(2,3)", "4", "arch: layer conv needs a [channels,height,width] input but gets [4] at 'conv(2,3)' (character 1): >>>conv(2,3)<<<" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_spec_reads_or_fails_with_the_same_words(string text, string? inputShape, string expected)
    {
        string actual;
        try
        {
            var spec = ArchitectureSpec.Parse(text);
            actual = inputShape is null
                ? $"OK {spec.Canonical}"
                : $"OK {string.Join(";", spec.InferShapes(inputShape.Split(',').Select(long.Parse).ToArray()).Select(ArchitectureSpec.FormatShape))}";
        }
        catch (SpecParseException e)
        {
            actual = e.Message;
        }
        Assert.Equal(expected, actual);
    }
}
