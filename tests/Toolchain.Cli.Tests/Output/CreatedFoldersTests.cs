using Toolchain.Cli.Output;
using Toolchain.TestSupport;

namespace Toolchain.Cli.Tests.Output;

public sealed class CreatedFoldersTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Folders_created_after_tracking_and_left_empty_are_removed_up_to_the_first_that_existed()
    {
        var outPath = _dir.File("a/b/c");

        using (CreatedFolders.Track(outPath))
        {
            Directory.CreateDirectory(outPath);
        }

        Assert.Empty(Directory.GetFileSystemEntries(_dir.Path));
    }

    [Fact]
    public void A_folder_with_a_file_is_kept_and_so_are_the_folders_above_it()
    {
        var outPath = _dir.File("a/b");

        using (CreatedFolders.Track(outPath))
        {
            Directory.CreateDirectory(outPath);
            File.WriteAllText(Path.Combine(outPath, "metrics.json"), "{}");
        }

        Assert.True(File.Exists(Path.Combine(outPath, "metrics.json")));
    }

    [Fact]
    public void A_folder_that_existed_before_is_kept_even_when_empty()
    {
        var outPath = _dir.File("mine");
        Directory.CreateDirectory(outPath);

        using (CreatedFolders.Track(outPath))
        {
        }

        Assert.True(Directory.Exists(outPath));
    }
}
