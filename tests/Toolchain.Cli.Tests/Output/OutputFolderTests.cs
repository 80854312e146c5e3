using Toolchain.Cli.Output;
using Toolchain.Contracts;
using Toolchain.TestSupport;

namespace Toolchain.Cli.Tests.Output;

public sealed class OutputFolderTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_missing_folder_is_created_and_the_probe_leaves_nothing_behind()
    {
        var folder = _dir.File("a/b");
        OutputFolder.RequireWritable(folder);
        Assert.True(Directory.Exists(folder));
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public void A_folder_where_files_cannot_be_created_is_named_with_the_reason()
    {
        var e = Assert.Throws<ToolchainException>(() => OutputFolder.RequireWritable("/proc"));
        Assert.All(["'/proc'", "not writable", "cannot be created"], fact => Assert.Contains(fact, e.Message));
    }

    [Fact]
    public void A_file_in_the_way_is_named()
    {
        var file = _dir.File("file");
        File.WriteAllText(file, "");
        var itself = Assert.Throws<ToolchainException>(() => OutputFolder.RequireWritable(file)).Message;
        Assert.All([$"'{file}'", "is a file"], fact => Assert.Contains(fact, itself));
        // Below a file: the folder asked for, and the file in its way.
        var below = Assert.Throws<ToolchainException>(() => OutputFolder.RequireWritable(Path.Combine(file, "out", "deeper"))).Message;
        Assert.All([$"'{file}/out/deeper'", "not writable", $"'{file}' is a file"], fact => Assert.Contains(fact, below));
    }

    [Fact]
    public void The_clean_up_line_counts_the_files_removed()
    {
        int gone = TemporaryFileNameTests.ExitedProcessId();
        Assert.Null(OutputFolder.RemoveStaleTemporaryFiles(_dir.Path));
        File.WriteAllText(_dir.File($".a.{gone}.{Guid.NewGuid():N}.tmp"), "");
        var one = OutputFolder.RemoveStaleTemporaryFiles(_dir.Path);
        Assert.All(["removed 1 temporary file ", _dir.Path], fact => Assert.Contains(fact, one));
        File.WriteAllText(_dir.File($".a.{gone}.{Guid.NewGuid():N}.tmp"), "");
        File.WriteAllText(_dir.File($".b.{gone}.{Guid.NewGuid():N}.tmp"), "");
        var two = OutputFolder.RemoveStaleTemporaryFiles(_dir.Path);
        Assert.All(["removed 2 temporary files ", _dir.Path], fact => Assert.Contains(fact, two));
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }
}
