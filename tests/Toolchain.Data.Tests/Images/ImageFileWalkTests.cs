using System.Diagnostics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Toolchain.Contracts;
using Toolchain.Data.Images;
using Toolchain.TestSupport;

namespace Toolchain.Data.Tests.Images;

/// <summary>
/// Symbolic links, special files and unreadable names in image folders (issue 21, item 7): followed as torchvision
/// follows them, but never into a loop or /proc, never counting a file twice, and never ending a run with a raw message.
/// </summary>
public sealed class ImageFileWalkTests : IDisposable
{
    private readonly TempFolder _dir = new();
    private readonly TempFolder _outside = new();

    public void Dispose()
    {
        // .NET cannot spell a name that is not UTF-8 to delete it.
        Run("rm", "-rf", _dir.Path);
        _dir.Dispose();
        _outside.Dispose();
    }

    private static void Pngs(string folder, int count, string prefix = "")
    {
        Directory.CreateDirectory(folder);
        for (int i = 0; i < count; i++)
        {
            using var image = new Image<L8>(6, 6, new L8(90));
            image.SaveAsPng(Path.Combine(folder, $"{prefix}{i}.png"));
        }
    }

    /// <summary>Class folders a (3 images) and b (4 images) under the dataset root.</summary>
    private (string A, string B) TwoClasses()
    {
        var a = _dir.File("a");
        var b = _dir.File("b");
        Pngs(a, 3);
        Pngs(b, 4);
        return (a, b);
    }

    private (ImageFileWalk Walk, List<string> A, List<string> B) WalkBoth()
    {
        var (a, b) = (_dir.File("a"), _dir.File("b"));
        var walk = new ImageFileWalk(_dir.Path, [a, b]);
        return (walk, walk.Files(a), walk.Files(b));
    }

    private static int[] PerClass(LoadedImageFolder loaded) =>
        [.. Enumerable.Range(0, loaded.Dataset.ClassNames.Count)
            .Select(c => loaded.Dataset.Train.Labels.Count(l => l == c) + loaded.Dataset.Test.Labels.Count(l => l == c))];

    [Fact]
    public void A_link_back_to_the_dataset_is_a_loop_not_followed_and_each_image_keeps_its_class()
    {
        var (a, _) = TwoClasses();
        Directory.CreateSymbolicLink(Path.Combine(a, "loop"), "..");
        var notices = new List<string>();

        var loaded = ImageFolderDataset.Load(_dir.Path, new ImageFolderOptions { TestFraction = 0.5 }, notices.Add);

        Assert.Equal([3, 4], PerClass(loaded));
        Assert.Contains(notices, n => n.StartsWith("symbolic links: 1 not followed", StringComparison.Ordinal)
            && n.Contains($"{Path.Combine(a, "loop")}: leads back to {_dir.Path}, which holds the dataset (a loop)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_link_into_another_class_leaves_its_images_to_that_class_in_either_order()
    {
        var (a, b) = TwoClasses();
        Directory.CreateSymbolicLink(Path.Combine(a, "from-b"), b);
        File.CreateSymbolicLink(Path.Combine(b, "from-a.png"), Path.Combine(a, "0.png"));

        var (walk, inA, inB) = WalkBoth();

        Assert.Equal(3, inA.Count);
        Assert.Equal(4, inB.Count);
        Assert.Equal(2, walk.NotFollowed.Count);
        Assert.Contains(walk.NotFollowed, n => n.Contains("from-b: leads into", StringComparison.Ordinal));
    }

    [Fact]
    public void A_link_to_a_folder_elsewhere_is_followed_and_a_file_reached_twice_is_counted_once()
    {
        var (a, b) = TwoClasses();
        var pool = Path.Combine(_outside.Path, "pool");
        Pngs(pool, 2, "p");
        Directory.CreateSymbolicLink(Path.Combine(a, "pool"), pool);
        Directory.CreateSymbolicLink(Path.Combine(a, "pool-again"), pool);
        File.CreateSymbolicLink(Path.Combine(b, "p0.png"), Path.Combine(pool, "p0.png"));
        File.CreateSymbolicLink(Path.Combine(a, "self.png"), Path.Combine(a, "0.png"));

        var (walk, inA, inB) = WalkBoth();

        Assert.Equal([.. new[] { "0.png", "1.png", "2.png", "pool/p0.png", "pool/p1.png" }.Select(n => Path.Combine(a, n))], inA);
        Assert.Equal(4, inB.Count);
        Assert.Equal(3, walk.NotFollowed.Count); // pool-again (already read), b/p0.png and a/self.png (already counted)
    }

    [Fact]
    public void A_link_into_proc_is_not_followed_and_the_walk_ends_at_once()
    {
        var (a, _) = TwoClasses();
        Directory.CreateSymbolicLink(Path.Combine(a, "proc"), "/proc/self");
        Directory.CreateSymbolicLink(Path.Combine(a, "root"), "/proc/self/root");
        Directory.CreateSymbolicLink(Path.Combine(a, "sys"), "/sys/kernel");
        Directory.CreateSymbolicLink(Path.Combine(a, "dev"), "/dev");

        var (walk, inA, _) = WalkBoth();

        Assert.Equal(3, inA.Count);
        Assert.Equal(4, walk.NotFollowed.Count);
        Assert.Contains(walk.NotFollowed, n => n.Contains("/proc/", StringComparison.Ordinal) && n.Contains("proc file system", StringComparison.Ordinal));
        Assert.Contains(walk.NotFollowed, n => n.Contains("root: leads back to /,", StringComparison.Ordinal));
        Assert.Contains(walk.NotFollowed, n => n.Contains("under /dev", StringComparison.Ordinal));
    }

    [Fact]
    public void A_pipe_or_a_device_named_like_an_image_is_skipped_as_unreadable_without_being_opened()
    {
        var (a, _) = TwoClasses();
        MakeFifo(Path.Combine(a, "fifo.png"));
        File.CreateSymbolicLink(Path.Combine(a, "zero.png"), "/dev/zero");
        var notices = new List<string>();

        var loaded = ImageFolderDataset.Load(_dir.Path, new ImageFolderOptions { TestFraction = 0.5 }, notices.Add);

        Assert.Equal([3, 4], PerClass(loaded));
        Assert.Equal(2, loaded.Skipped.Count);
        Assert.Contains($"{Path.Combine(a, "fifo.png")}: is a named pipe, not a regular file", loaded.Skipped);
        Assert.Contains($"{Path.Combine(a, "zero.png")}: is a character device, not a regular file", loaded.Skipped);
    }

    [Fact]
    public void A_name_that_is_not_UTF8_and_a_broken_link_are_skipped_and_reported_like_unreadable_images()
    {
        var (a, _) = TwoClasses();
        Run("sh", "-c", $"cp '{Path.Combine(a, "0.png")}' \"$(printf '{a}/bad\\377name.png')\"");
        File.CreateSymbolicLink(Path.Combine(a, "gone.png"), Path.Combine(_outside.Path, "nothing.png"));
        var notices = new List<string>();

        var loaded = ImageFolderDataset.Load(_dir.Path, new ImageFolderOptions { TestFraction = 0.5 }, notices.Add);

        Assert.Equal([3, 4], PerClass(loaded));
        Assert.Equal(2, loaded.Skipped.Count);
        Assert.Contains($"{Path.Combine(a, "bad\uFFFDname.png")}: its name is not valid UTF-8, so it cannot be opened (rename it)", loaded.Skipped);
        Assert.Contains($"{Path.Combine(a, "gone.png")}: is a broken symbolic link", loaded.Skipped);
        Assert.Contains(notices, n => n.StartsWith("skipped 2 unreadable images: ", StringComparison.Ordinal));
        var strict = Assert.Throws<ToolchainException>(() => ImageFolderDataset.Load(_dir.Path, new ImageFolderOptions { TestFraction = 0.5, Strict = true }));
        Assert.EndsWith("(--strict)", strict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_class_folder_linked_to_another_is_one_line_naming_both()
    {
        var (a, _) = TwoClasses();
        Directory.CreateSymbolicLink(_dir.File("c"), a);

        var e = Assert.Throws<ToolchainException>(() => ImageFolderDataset.Load(_dir.Path, new ImageFolderOptions()));

        Assert.Equal($"{_dir.File("c")}: is the same folder as {a} ({a}); a class folder may not be another's link", e.Message);
    }

    private static void MakeFifo(string path) => Run("mkfifo", path);

    private static void Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true })!;
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} failed: {process.StandardError.ReadToEnd()}");
    }
}
