using Toolchain.Cli.Output;
using Toolchain.Contracts;
using Toolchain.TestSupport;

namespace Toolchain.Cli.Tests.Output;

public sealed class WriteFailureTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    // What .NET on Linux throws for ENOSPC: the errno in HResult, the path the system call saw in the message.
    private static IOException NoSpace(string path) => new($"No space left on device : '{path}'", 28);

    /// <summary>
    /// The one-line message names the file written, its folder and the reason (and the size where known); the exact
    /// wording is pinned only in the CLIs' message wording tests.
    /// </summary>
    private static void Names(string? message, params string[] facts)
    {
        Assert.NotNull(message);
        Assert.DoesNotContain('\n', message);
        Assert.All(facts, fact => Assert.Contains(fact, message));
    }

    [Fact]
    public void A_full_disk_names_the_target_its_folder_and_the_size_not_the_temporary_file()
    {
        const string tmp = "/out/cnn/.checkpoint.ckpt.4242.0123456789abcdef0123456789abcdef.tmp";
        var message = WriteFailure.Describe(NoSpace(tmp), "/out/cnn/checkpoint.ckpt", 4_200_000, temporaryPath: tmp);
        Names(message, "checkpoint.ckpt", "4.2 MB", "'/out/cnn'", "no space");
        Assert.DoesNotContain(".tmp", message);
        Assert.True(WriteFailure.IsOutOfSpace(new IOException("No space left on device")));
        Assert.True(WriteFailure.IsOutOfSpace(new IOException("quota", 122)));
        Assert.False(WriteFailure.IsOutOfSpace(new IOException("Input/output error", 5)));
    }

    [Theory]
    [InlineData(0, "0 bytes")]
    [InlineData(1, "1 byte")]
    [InlineData(999, "999 bytes")]
    [InlineData(1000, "1.0 kB")]
    [InlineData(4_200_000, "4.2 MB")]
    [InlineData(999_960, "1.0 MB")]
    [InlineData(3_500_000_000, "3.5 GB")]
    public void Sizes_are_in_powers_of_1000_with_one_decimal(long bytes, string text) =>
        Assert.Equal(text, WriteFailure.FormatSize(bytes));

    [Fact]
    public void Other_failures_have_short_reasons_and_no_size()
    {
        var denied = WriteFailure.Describe(new UnauthorizedAccessException("Access to the path '/out/.a.json.1.x.tmp' is denied."), "/out/a.json", 10);
        var readOnly = WriteFailure.Describe(new IOException("Read-only file system : '/out/.a.json.1.x.tmp'", 30), "/out/a.json", 10);
        var other = WriteFailure.Describe(new IOException("Input/output error : '/out/.a.json.1.x.tmp'", 5), "/out/a.json", 10, temporaryPath: "/out/.a.json.1.x.tmp");
        Names(denied, "a.json", "'/out'", "permission denied");
        Names(readOnly, "a.json", "'/out'", "read-only");
        // An errno without a short reason keeps the system's text, with the temporary file's name replaced by the target's.
        Names(other, "a.json", "'/out'", "Input/output error", "'/out/a.json'");
        Assert.All([denied, readOnly, other], m => Assert.DoesNotContain(".tmp", m));
        Assert.All([denied, readOnly, other], m => Assert.DoesNotContain("10 bytes", m));
    }

    [Fact]
    public void An_atomic_write_cut_off_by_a_full_disk_names_the_target_and_what_it_had_written_and_leaves_nothing()
    {
        var target = _dir.File("checkpoint.ckpt");
        var e = Assert.Throws<ToolchainException>(() => AtomicFile.Write(target, stream =>
        {
            stream.Write(new byte[5000]);
            throw NoSpace(((FileStream)stream).Name);
        }));

        Names(e.Message, "checkpoint.ckpt", "at least 5.0 kB", $"'{_dir.Path}'", "no space");
        Assert.Empty(_dir.Entries());
    }

    [Fact]
    public void An_atomic_write_of_a_known_length_gives_that_length()
    {
        var target = _dir.File("model.onnx");
        var e = Assert.Throws<ToolchainException>(() => AtomicFile.Write(target, stream => throw NoSpace(((FileStream)stream).Name), length: 1_234_567));
        Names(e.Message, "model.onnx", "1.2 MB", $"'{_dir.Path}'", "no space");
    }

    [Fact]
    public void An_atomic_write_into_a_folder_where_files_cannot_be_created_names_the_target()
    {
        var e = Assert.Throws<ToolchainException>(() => AtomicFile.WriteAllText("/proc/history.csv", "epoch\n"));
        Names(e.Message, "history.csv", "'/proc'", "cannot be created");
    }
}
