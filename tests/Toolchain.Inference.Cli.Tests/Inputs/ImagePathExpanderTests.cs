using Toolchain.Inference.Cli.Inputs;

namespace Toolchain.Inference.Cli.Tests.Inputs;

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

    [Theory]
    [InlineData("digit.png", "*.png", true)]
    [InlineData("digit.png", "d?git.png", true)]
    [InlineData("digit.png", "*", true)]
    [InlineData("digit.png", "*.jpg", false)]
    [InlineData("digit.png", "digit.png?", false)]
    [InlineData("digit.png", "digit.pn?", true)]
    [InlineData("digit.png", "?", false)]
    [InlineData("a.b.png", "*.*.png", true)]
    [InlineData("abc", "a*b*c", true)]
    [InlineData("acb", "a*b*c", false)]
    [InlineData("Digit.png", "digit.pn?", false)]
    [InlineData("Digit.png", "d*", false)]
    [InlineData(".hidden.png", "*.png", false)]
    [InlineData(".hidden.png", ".*.png", true)]
    public void A_name_matches_a_pattern_as_a_shell_would(string name, string pattern, bool matches)
    {
        Touch($"m/{name}");

        var files = ImagePathExpander.Glob($"{_root}/m/{pattern}");

        Assert.Equal(matches ? [$"{_root}/m/{name}"] : [], files);
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
    public void Double_star_skips_hidden_folders_and_at_the_end_matches_every_file_below()
    {
        Touch("h/.git/x.png");
        Touch("h/a/.cache/y.png");
        Touch("h/a/b.png");
        Touch("h/c.txt");

        Assert.Equal([$"{_root}/h/a/b.png", $"{_root}/h/c.txt"], ImagePathExpander.Glob($"{_root}/h/**"));
        Assert.Equal([$"{_root}/h/a/b.png"], ImagePathExpander.Glob($"{_root}/h/**/*.png"));
    }

    [Fact]
    public void A_relative_pattern_is_spelled_relative_and_a_pattern_matching_nothing_is_reported()
    {
        Touch("r/one.png");
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(_root, "r"));

        var inputs = ImagePathExpander.Expand([$"{relative}/*.png", $"{relative}/*.gif"]).ToArray();

        Assert.Equal([new ImageInput($"{relative}/one.png"), new ImageInput($"{relative}/*.gif", "no files match this pattern")], inputs);
    }

    [UnprivilegedFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_folder_that_cannot_be_read_holds_no_matches_and_the_others_still_match()
    {
        Touch("p/open/x.png");
        Touch("p/locked/y.png");
        var locked = Path.Combine(_root, "p", "locked");
        File.SetUnixFileMode(locked, UnixFileMode.None);
        try
        {
            Assert.Equal([$"{_root}/p/open/x.png"], ImagePathExpander.Glob($"{_root}/p/*/*.png"));
            Assert.Equal([$"{_root}/p/open/x.png"], ImagePathExpander.Glob($"{_root}/p/**/*.png"));
        }
        finally
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void A_pattern_under_a_folder_that_does_not_exist_matches_nothing()
    {
        Assert.Empty(ImagePathExpander.Glob($"{_root}/nowhere/*.png"));
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

    [Fact]
    public void A_folder_of_class_folders_expands_to_its_images_at_any_depth_as_dataset_reads_it()
    {
        Touch("d/cat/1.png");
        Touch("d/cat/more/2.jpg");
        Touch("d/dog/3.png");
        Touch("d/dog/.ipynb_checkpoints/3-checkpoint.png");
        Touch("d/README.md");

        var inputs = ImagePathExpander.Expand([$"{_root}/d"]).ToList();

        Assert.Equal([$"{_root}/d/cat/1.png", $"{_root}/d/cat/more/2.jpg", $"{_root}/d/dog/3.png"], inputs.Select(i => i.Path));
        Assert.All(inputs, i => Assert.Null(i.Error));
    }

    [Fact]
    public void A_folder_with_a_link_back_up_is_walked_once_and_says_what_it_did_not_follow()
    {
        Touch("loop/a/1.png");
        Touch("loop/b/2.png");
        Directory.CreateSymbolicLink($"{_root}/loop/a/up", "..");
        Directory.CreateSymbolicLink($"{_root}/loop/a/proc", "/proc");
        var notices = new List<string>();

        var inputs = ImagePathExpander.Expand([$"{_root}/loop"], notices.Add).ToList();

        Assert.Equal([$"{_root}/loop/a/1.png", $"{_root}/loop/b/2.png"], inputs.Select(i => i.Path));
        var notice = Assert.Single(notices);
        Assert.StartsWith($"{_root}/loop: 2 symbolic links not followed", notice, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_without_images_at_any_depth_is_one_error()
    {
        Touch("none/sub/x.txt");

        var input = Assert.Single(ImagePathExpander.Expand([$"{_root}/none"]));

        Assert.Equal(($"{_root}/none", "directory holds no PNG, JPEG, BMP, GIF or WebP files at any depth"), (input.Path, input.Error));
    }

    [Fact]
    public void Double_star_does_not_follow_a_link_back_up_into_a_loop()
    {
        Touch("g/a/1.png");
        Touch("g/b/2.png");
        Directory.CreateSymbolicLink($"{_root}/g/a/up", "..");
        Directory.CreateSymbolicLink($"{_root}/g/b/to-a", $"{_root}/g/a");
        Directory.CreateSymbolicLink($"{_root}/g/a/to-b", $"{_root}/g/b");

        var files = ImagePathExpander.Glob($"{_root}/g/**/*.png");

        // to-a and to-b are followed once each (a shell would too), but never round and round.
        Assert.Equal([$"{_root}/g/a/1.png", $"{_root}/g/a/to-b/2.png", $"{_root}/g/b/2.png", $"{_root}/g/b/to-a/1.png"], files);
    }
}

/// <summary>A fact that needs file permissions to bind, which they do not for root.</summary>
public sealed class UnprivilegedFactAttribute : FactAttribute
{
    public UnprivilegedFactAttribute()
    {
        if (Environment.IsPrivilegedProcess)
        {
            Skip = "running as root, which reads a folder without read permission";
        }
    }
}
