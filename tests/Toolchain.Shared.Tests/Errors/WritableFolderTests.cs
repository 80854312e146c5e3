using Toolchain.Contracts;
using Toolchain.Shared.Errors;
using Toolchain.Shared.Tests.Data;

namespace Toolchain.Shared.Tests.Errors;

public sealed class WritableFolderTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_missing_folder_is_created_and_the_probe_leaves_nothing_behind()
    {
        var folder = _dir.File("a/b");
        WritableFolder.Require(folder);
        Assert.True(Directory.Exists(folder));
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public void A_folder_where_files_cannot_be_created_is_named_with_the_reason()
    {
        var e = Assert.Throws<ToolchainException>(() => WritableFolder.Require("/proc"));
        Assert.Equal("output folder '/proc' is not writable (files cannot be created in it)", e.Message);
    }

    [Fact]
    public void A_file_in_the_way_is_named()
    {
        var file = _dir.File("file");
        File.WriteAllText(file, "");
        Assert.Equal($"output folder '{file}' is a file, not a folder",
            Assert.Throws<ToolchainException>(() => WritableFolder.Require(file)).Message);
        Assert.Equal($"output folder '{file}/out/deeper' is not writable ('{file}' is a file, not a folder)",
            Assert.Throws<ToolchainException>(() => WritableFolder.Require(Path.Combine(file, "out", "deeper"))).Message);
    }

    [Fact]
    public void The_clean_up_line_counts_the_files_removed()
    {
        int gone = TemporaryFileNameTests.ExitedProcessId();
        Assert.Null(WritableFolder.RemoveStaleTemporaryFiles(_dir.Path));
        File.WriteAllText(_dir.File($".a.{gone}.{Guid.NewGuid():N}.tmp"), "");
        Assert.Equal($"removed 1 temporary file that an interrupted run left in {_dir.Path}", WritableFolder.RemoveStaleTemporaryFiles(_dir.Path));
        File.WriteAllText(_dir.File($".a.{gone}.{Guid.NewGuid():N}.tmp"), "");
        File.WriteAllText(_dir.File($".b.{gone}.{Guid.NewGuid():N}.tmp"), "");
        Assert.Equal($"removed 2 temporary files that interrupted runs left in {_dir.Path}", WritableFolder.RemoveStaleTemporaryFiles(_dir.Path));
    }
}
