using Toolchain.Contracts;
using Toolchain.TestSupport;
using Toolchain.Trainer.Transfer;

namespace Toolchain.Trainer.Tests.Transfer;

public sealed class BackboneConfigTests : IDisposable
{
    private readonly TransferFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void A_config_is_read_with_its_files_resolved_beside_it()
    {
        var c = _files.Config("tiny-mean-image.json");
        Assert.Equal("tiny-cntk", c.Name);
        Assert.Equal(_files.Path("tiny.onnx"), c.File);
        Assert.Equal(TinyBackbones.CntkInput, c.Input);
        Assert.Equal(TinyBackbones.CntkFeatures, c.Output);
        Assert.Equal((32, 32), (c.Height, c.Width));
        Assert.Equal(ChannelOrder.Bgr, c.ChannelOrder);
        Assert.Equal(255, c.Scale);
        Assert.Empty(c.Mean);
        Assert.Equal(new MeanImageSource(_files.Path("prep.onnx"), "MeanImage"), c.MeanImage);
        Assert.Equal([1.0, 1, 1], c.Std);
        var m = _files.Config("modern.json");
        Assert.Equal([0.229, 0.224, 0.225], m.Std);
        Assert.Equal(ChannelOrder.Rgb, m.ChannelOrder);
    }

    [Theory]
    [InlineData("{", "is not valid JSON")]
    [InlineData("[]", "must be a JSON object")]
    [InlineData("{\"name\":\"x\"}", "field 'input_size'")]
    [InlineData("{\"nmae\":\"x\"}", "unknown field 'nmae'")]
    public void Malformed_configs_are_refused_in_one_line_naming_the_file(string json, string expected)
    {
        var e = Assert.Throws<ToolchainException>(() => _files.ConfigFrom(json));
        Assert.Contains(_files.Path("custom.json"), e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("\"channel_order\": \"bgr\"", "\"channel_order\": \"gbr\"", "field 'channel_order' must be rgb or bgr")]
    [InlineData("\"scale\": 255", "\"scale\": 0", "field 'scale' must be a positive number")]
    [InlineData("\"mean\": [103.9, 116.8, 123.7]", "\"mean\": [1, 2]", "field 'mean' must hold 3")]
    [InlineData("\"mean\": [103.9, 116.8, 123.7]", "\"mean\": [1, 2, 3], \"std\": [1, 0, 1]", "field 'std' must hold 3 positive")]
    [InlineData("\"mean\": [103.9, 116.8, 123.7]", "\"mean\": [1, 2, 3], \"mean_image\": {\"file\": \"p\", \"initializer\": \"m\"}", "exactly one of the fields 'mean'")]
    [InlineData("\"input_size\": [32, 32]", "\"input_size\": [32]", "field 'input_size' must be [height, width]")]
    [InlineData("\"input_size\": [32, 32]", "\"input_size\": [32.5, 32]", "field 'input_size' must be [height, width]")]
    [InlineData("\"licence\": \"MIT\",", "", "missing the field 'licence'")]
    [InlineData("\"licence\": \"MIT\",", "\"licence\": 3,", "field 'licence' must be a non-empty string")]
    [InlineData("\"licence\": \"MIT\",", "\"licence\": \"MIT\", \"sha256\": \"abc\",", "field 'sha256' must be 64 hex digits")]
    public void Each_bad_field_is_named(string from, string to, string expected)
    {
        var json = TinyBackbones.CntkConfig();
        Assert.Contains(from, json);
        var e = Assert.Throws<ToolchainException>(() => _files.ConfigFrom(json.Replace(from, to, StringComparison.Ordinal)));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith($"backbone config {_files.Path("custom.json")} ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_missing_config_is_named()
    {
        var e = Assert.Throws<InvalidInputFileException>(() => BackboneConfig.Load(_files.Path("none.json")));
        Assert.Equal($"{_files.Path("none.json")}: backbone config does not exist", e.Message);
    }

    [Fact]
    public void Images_smaller_than_the_input_are_refused_naming_the_image()
    {
        var c = _files.Config("tiny.json");
        c.CheckImageSize("big.png", 32, 40);
        var e = Assert.Throws<ToolchainException>(() => c.CheckImageSize("cat.png", 31, 40));
        Assert.Equal("cat.png: 31×40 is smaller than the tiny-cntk backbone's 32×32 input; use images at least that large", e.Message);
    }
}
