using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Toolchain.Contracts;
using Toolchain.Data.Images;
using Toolchain.TestSupport;

namespace Toolchain.Data.Tests.Images;

public class ImageFolderDatasetTests
{
    private static void Png(string path, int width, int height, Rgb24 colour)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var image = new Image<Rgb24>(width, height, colour);
        image.SaveAsPng(path);
    }

    private static readonly Rgb24 Grey = new(90, 90, 90), Red = new(200, 10, 10);

    /// <summary>DIR/&lt;class&gt;/i.png, <paramref name="perClass"/> each, grey unless <paramref name="colour"/>.</summary>
    private static void Classes(string root, int perClass, bool colour = false, int size = 6, params string[] names)
    {
        foreach (var name in names)
        {
            for (int i = 0; i < perClass; i++)
            {
                Png(Path.Combine(root, name, $"{i}.png"), size, size, colour ? Red : Grey);
            }
        }
    }

    private static ImageFolderOptions Options(TempFolder cache) => new() { CacheDirectory = cache.File("cache") };

    [Fact]
    public void The_train_and_test_layout_keeps_its_split_and_orders_classes_by_folder_name()
    {
        using var dir = new TempFolder();
        Classes(dir.File("train"), 3, names: ["b", "a"]);
        Classes(dir.File("test"), 2, names: ["a", "b"]);

        var loaded = ImageFolderDataset.Load(dir.Path, new ImageFolderOptions());

        Assert.Equal(["a", "b"], loaded.Dataset.ClassNames);
        Assert.Equal(6, loaded.Dataset.Train.Count);
        Assert.Equal(4, loaded.Dataset.Test.Count);
        Assert.Null(loaded.TestFraction);
        Assert.Equal((1, 6, 6), (loaded.Dataset.Train.Channels, loaded.Dataset.Train.Rows, loaded.Dataset.Train.Cols));
    }

    [Fact]
    public void Classes_txt_gives_the_order_and_display_names()
    {
        using var dir = new TempFolder();
        Classes(dir.Path, 5, names: ["cat", "dog"]);
        File.WriteAllText(dir.File("classes.txt"), "dog=Dogs\ncat\tCats\n");

        var loaded = ImageFolderDataset.Load(dir.Path, new ImageFolderOptions());

        Assert.Equal(["Dogs", "Cats"], loaded.Dataset.ClassNames);
        Assert.All(loaded.Dataset.Train.Labels, l => Assert.InRange(l, 0, 1));
    }

    [Fact]
    public void The_class_layout_is_split_stratified_and_reproducibly()
    {
        using var dir = new TempFolder();
        Classes(dir.Path, 10, names: ["x", "y"]);
        var options = new ImageFolderOptions { TestFraction = 0.3, SplitSeed = 4 };

        var first = ImageFolderDataset.Load(dir.Path, options);
        var second = ImageFolderDataset.Load(dir.Path, options);

        Assert.Equal(0.3, first.TestFraction);
        Assert.Equal(6, first.Dataset.Test.Count);
        Assert.Equal(3, first.Dataset.Test.Labels.Count(l => l == 0));
        Assert.Equal(first.Dataset.Test.Labels, second.Dataset.Test.Labels);
    }

    [Fact]
    public void Colour_images_get_three_channels_grey_ones_one_and_differing_sizes_the_median()
    {
        using var dir = new TempFolder();
        Classes(dir.Path, 3, colour: false, size: 8, names: ["g"]);
        Classes(dir.Path, 3, colour: true, size: 12, names: ["r"]);
        Png(Path.Combine(dir.Path, "r", "big.png"), 100, 80, Red);
        var notices = new List<string>();

        var loaded = ImageFolderDataset.Load(dir.Path, new ImageFolderOptions { TestFraction = 0.3 }, notices.Add);

        Assert.Equal(3, loaded.Dataset.Train.Channels);
        Assert.Equal((12, 12), (loaded.Dataset.Train.Rows, loaded.Dataset.Train.Cols)); // median of 8,8,8,12,12,12,80 (heights)
        Assert.Contains(notices, n => n.Contains("median", StringComparison.Ordinal));
        var forced = ImageFolderDataset.Load(dir.Path, new ImageFolderOptions { TestFraction = 0.3, Channels = 1, ImageSize = "4x5" });
        Assert.Equal((1, 4, 5), (forced.Dataset.Train.Channels, forced.Dataset.Train.Rows, forced.Dataset.Train.Cols));
        // Red (200,10,10) as grey is its luma: (200·299 + 10·587 + 10·114 + 500) / 1000 = 67.
        var red = Array.IndexOf(forced.Dataset.Train.Labels, (byte)1);
        Assert.Equal(67, forced.Dataset.Train.Image(red)[0]);
    }

    [Fact]
    public void WebP_pictures_are_images_of_their_class_with_their_colours()
    {
        using var dir = new TempFolder();
        Classes(dir.Path, 3, colour: false, size: 8, names: ["g"]);
        foreach (var i in Enumerable.Range(0, 3))
        {
            using var image = new Image<Rgb24>(8, 8, Red);
            Directory.CreateDirectory(dir.File("r"));
            image.SaveAsWebp(dir.File($"r/{i}.webp"), new SixLabors.ImageSharp.Formats.Webp.WebpEncoder { FileFormat = SixLabors.ImageSharp.Formats.Webp.WebpFileFormatType.Lossless });
        }
        var notices = new List<string>();

        var loaded = ImageFolderDataset.Load(dir.Path, new ImageFolderOptions { TestFraction = 0.34 }, notices.Add);

        Assert.Empty(loaded.Skipped);
        Assert.DoesNotContain(notices, n => n.Contains("left out", StringComparison.Ordinal));
        Assert.Equal(6, loaded.Dataset.Train.Count + loaded.Dataset.Test.Count);
        Assert.Equal(3, loaded.Dataset.Train.Channels);
        var red = Array.IndexOf(loaded.Dataset.Train.Labels, (byte)1);
        Assert.Equal([200, 10, 10], new[] { 0, 1, 2 }.Select(c => loaded.Dataset.Train.Image(red)[c * 64]).ToArray());
    }

    [Fact]
    public void A_second_load_hits_the_cache_and_a_changed_or_added_file_misses_it()
    {
        using var dir = new TempFolder();
        using var cache = new TempFolder();
        Classes(dir.Path, 4, names: ["a", "b"]);

        Assert.False(ImageFolderDataset.Load(dir.Path, Options(cache)).FromCache);
        Assert.True(ImageFolderDataset.Load(dir.Path, Options(cache)).FromCache);
        Assert.False(ImageFolderDataset.Load(dir.Path, Options(cache) with { ImageSize = "3" }).FromCache);

        Png(Path.Combine(dir.Path, "a", "new.png"), 6, 6, Grey);
        var added = ImageFolderDataset.Load(dir.Path, Options(cache));
        Assert.False(added.FromCache);
        Assert.Equal(9, added.Dataset.Train.Count + added.Dataset.Test.Count);

        File.SetLastWriteTimeUtc(Path.Combine(dir.Path, "b", "0.png"), DateTime.UtcNow.AddMinutes(5));
        Assert.False(ImageFolderDataset.Load(dir.Path, Options(cache)).FromCache);
        Assert.True(ImageFolderDataset.Load(dir.Path, Options(cache)).FromCache);
    }

    [Fact]
    public void A_corrupt_image_is_skipped_with_one_summary_line_and_strict_makes_it_an_error()
    {
        using var dir = new TempFolder();
        Classes(dir.Path, 4, names: ["a", "b"]);
        File.WriteAllBytes(Path.Combine(dir.Path, "a", "bad.png"), [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        var notices = new List<string>();

        var loaded = ImageFolderDataset.Load(dir.Path, new ImageFolderOptions(), notices.Add);

        Assert.Equal(8, loaded.Dataset.Train.Count + loaded.Dataset.Test.Count);
        Assert.Single(notices, n => n.StartsWith("skipped 1 unreadable image: ", StringComparison.Ordinal) && n.Contains("bad.png", StringComparison.Ordinal));
        var e = Assert.Throws<ToolchainException>(() => ImageFolderDataset.Load(dir.Path, new ImageFolderOptions { Strict = true }));
        Assert.Contains("--strict", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_folders_are_one_line_each()
    {
        using var dir = new TempFolder();
        Directory.CreateDirectory(dir.File("none"));
        Classes(dir.File("one"), 3, names: ["only"]);
        Classes(dir.File("empty"), 3, names: ["a"]);
        Directory.CreateDirectory(Path.Combine(dir.File("empty"), "b"));
        Classes(dir.File("split/train"), 2, names: ["a", "b"]);
        Classes(dir.File("split/test"), 2, names: ["a", "c"]);
        Directory.CreateDirectory(dir.File("noimages/a"));
        Directory.CreateDirectory(dir.File("noimages/b"));

        string Error(string folder) => Assert.Throws<ToolchainException>(() => ImageFolderDataset.Load(dir.File(folder), new ImageFolderOptions())).Message;

        Assert.Contains("single class", Error("one"), StringComparison.Ordinal);
        Assert.Contains("class folder 'b' holds no images", Error("empty"), StringComparison.Ordinal);
        Assert.Contains("class 'c' is in test but not in train", Error("split"), StringComparison.Ordinal);
        Assert.Contains("holds no images", Error("noimages"), StringComparison.Ordinal);
        Assert.Contains("no class folders", Error("none"), StringComparison.Ordinal);
    }

    [Fact]
    public void An_image_over_40_megapixels_stops_the_load_without_being_decoded()
    {
        using var dir = new TempFolder();
        Classes(dir.Path, 3, names: ["a", "b"]);
        // A 7000×7000 PNG of one colour is small on disk; its header alone says 49 megapixels.
        using (var huge = new Image<L8>(7000, 7000))
        {
            huge.SaveAsPng(Path.Combine(dir.Path, "a", "huge.png"));
        }

        var e = Assert.Throws<ToolchainException>(() => ImageFolderDataset.Load(dir.Path, new ImageFolderOptions()));

        Assert.Contains("over the 40-megapixel limit", e.Message, StringComparison.Ordinal);
        Assert.Contains("huge.png", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hidden_entries_and_macos_leftovers_are_not_classes_or_images_and_other_files_are_named_once()
    {
        using var dir = new TempFolder();
        Classes(dir.Path, 3, names: ["a", "b"]);
        // Jupyter, Finder and a Mac's zip leave these beside real data; none is a class or an image.
        Directory.CreateDirectory(dir.File(".ipynb_checkpoints"));
        Png(dir.File("__MACOSX/a/._0.png"), 6, 6, Grey);
        File.WriteAllBytes(dir.File("a/._0.png"), [0, 5, 22, 7]);
        File.WriteAllBytes(dir.File("a/.DS_Store"), [0, 0, 0, 1]);
        Png(dir.File("b/.ipynb_checkpoints/0-checkpoint.png"), 6, 6, Red);
        File.WriteAllText(dir.File("a/notes.txt"), "x");
        File.WriteAllText(dir.File("b/scan.tif"), "x");
        var notices = new List<string>();

        var loaded = ImageFolderDataset.Load(dir.Path, new ImageFolderOptions(), notices.Add);

        Assert.Equal(["a", "b"], loaded.Dataset.ClassNames);
        Assert.Equal(6, loaded.Dataset.Train.Count + loaded.Dataset.Test.Count);
        Assert.Empty(loaded.Skipped);
        Assert.Equal(1, loaded.Dataset.Train.Channels);
        var leftOut = Assert.Single(notices, n => n.Contains("left out", StringComparison.Ordinal));
        Assert.Contains("2 files", leftOut, StringComparison.Ordinal);
        Assert.Contains("scan.tif", leftOut, StringComparison.Ordinal);
        Assert.DoesNotContain(".DS_Store", leftOut, StringComparison.Ordinal);
    }

    [Fact]
    public void An_image_deleted_after_listing_is_skipped_as_unreadable_not_a_raw_error()
    {
        using var dir = new TempFolder();
        using var cache = new TempFolder();
        Classes(dir.Path, 4, names: ["a", "b"]);
        File.WriteAllText(dir.File("a/notes.txt"), "x");
        var deleted = dir.File("b/3.png");
        // The "left out" notice comes after the folders are listed and before the files are read.
        void Notice(string line)
        {
            if (line.Contains("left out", StringComparison.Ordinal))
            {
                File.Delete(deleted);
            }
        }

        var loaded = ImageFolderDataset.Load(dir.Path, Options(cache), Notice);

        Assert.Equal(7, loaded.Dataset.Train.Count + loaded.Dataset.Test.Count);
        Assert.Equal([$"{deleted}: no such file"], loaded.Skipped);
    }

    [Theory]
    [InlineData("/dev/zero", "is a character device, not a regular file")]
    [InlineData("fifo", "is a named pipe, not a regular file")]
    [InlineData("huge", "is 2,097,152 bytes; a class list is at most 1 MiB")]
    [InlineData("nul", "line 2 holds a NUL character (column 2); it is not a text file")]
    [InlineData("long-line", "line 1 is longer than 4 KiB")]
    public void Classes_txt_is_read_with_bounds_and_refused_in_one_line(string kind, string problem)
    {
        using var dir = new TempFolder();
        Classes(dir.Path, 2, names: ["a", "b"]);
        var classes = dir.File("classes.txt");
        switch (kind)
        {
            case "/dev/zero":
                File.CreateSymbolicLink(classes, "/dev/zero");
                break;
            case "fifo":
                using (var p = System.Diagnostics.Process.Start("mkfifo", classes))
                {
                    p.WaitForExit();
                }
                break;
            case "huge":
                File.WriteAllText(classes, "a\nb\n" + new string('\n', (2 << 20) - 4));
                break;
            case "nul":
                File.WriteAllText(classes, "a\nb\0\0\n");
                break;
            default:
                File.WriteAllText(classes, new string('a', 5000) + "\n");
                break;
        }

        var e = Assert.Throws<ToolchainException>(() => ImageFolderDataset.Load(dir.Path, new ImageFolderOptions()));

        Assert.Equal($"{classes}: {problem}", e.Message);
    }

    [Fact]
    public void A_class_name_with_a_newline_or_an_escape_is_kept_as_it_is_for_printing_to_escape()
    {
        using var dir = new TempFolder();
        Classes(dir.Path, 2, names: ["a\nb", "c\u001b[31m"]);

        var loaded = ImageFolderDataset.Load(dir.Path, new ImageFolderOptions());

        Assert.Equal(["a\nb", "c\u001b[31m"], loaded.Dataset.ClassNames);
        Assert.Equal(["a\\x0Ab", "c\\x1B[31m"], loaded.Dataset.ClassNames.Select(Toolchain.Cli.TerminalText.Escape));
    }
}
