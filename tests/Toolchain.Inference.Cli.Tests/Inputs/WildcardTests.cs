using Toolchain.Inference.Cli.Inputs;

namespace Toolchain.Inference.Cli.Tests.Inputs;

public class WildcardTests
{
    [Theory]
    [InlineData("digit.png", "*.png", true)]
    [InlineData("digit.png", "d?git.png", true)]
    [InlineData("digit.png", "*", true)]
    [InlineData("digit.png", "*.jpg", false)]
    [InlineData("digit.png", "digit.png?", false)]
    [InlineData("a.b.png", "*.*.png", true)]
    [InlineData("abc", "a*b*c", true)]
    [InlineData("acb", "a*b*c", false)]
    [InlineData("", "*", true)]
    [InlineData("", "?", false)]
    [InlineData("Digit.png", "digit.png", false)]
    public void A_name_matches_a_pattern_as_a_shell_would(string name, string pattern, bool matches)
    {
        Assert.Equal(matches, Wildcard.IsMatch(name, pattern));
    }
}

public sealed class ImagePathExpanderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("expander-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Touch(string relative)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [1]);
    }

    [Fact]
    public void A_pattern_expands_to_the_matching_files_sorted_and_spelled_like_the_pattern()
    {
        Touch("a/2.png");
        Touch("a/10.png");
        Touch("a/x.txt");
        Touch("a/.hidden.png");

        var files = ImagePathExpander.Glob($"{_root}/a/*.png");

        Assert.Equal([$"{_root}/a/10.png", $"{_root}/a/2.png"], files);
    }

    [Fact]
    public void Double_star_matches_any_depth_including_none()
    {
        Touch("t/top.png");
        Touch("t/one/mid.png");
        Touch("t/one/two/deep.png");

        var files = ImagePathExpander.Glob($"{_root}/t/**/*.png");

        Assert.Equal([$"{_root}/t/one/mid.png", $"{_root}/t/one/two/deep.png", $"{_root}/t/top.png"], files);
    }

    [Fact]
    public void A_wildcard_in_a_folder_name_walks_every_matching_folder()
    {
        Touch("w/run1/d.png");
        Touch("w/run2/d.png");
        Touch("w/other/d.png");

        var files = ImagePathExpander.Glob($"{_root}/w/run?/d.png");

        Assert.Equal([$"{_root}/w/run1/d.png", $"{_root}/w/run2/d.png"], files);
    }

    [Fact]
    public void Arguments_keep_their_order_and_failures_stay_in_place()
    {
        Touch("o/b.png");
        Touch("o/a.png");
        var missing = Path.Combine(_root, "missing.png");
        Directory.CreateDirectory(Path.Combine(_root, "empty"));

        var inputs = ImagePathExpander.Expand([missing, Path.Combine(_root, "o"), Path.Combine(_root, "empty")]).ToArray();

        Assert.Equal(new ImageInput(missing, "no such file"), inputs[0]);
        Assert.Equal(Path.Combine(_root, "o", "a.png"), inputs[1].Path);
        Assert.Equal(Path.Combine(_root, "o", "b.png"), inputs[2].Path);
        Assert.NotNull(inputs[3].Error);
        Assert.Equal(4, inputs.Length);
    }
}
