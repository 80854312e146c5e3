using System.Diagnostics;
using Toolchain.Cli.Output;
using Toolchain.Contracts;
using Toolchain.TestSupport;

namespace Toolchain.Cli.Tests.Output;

public sealed class TemporaryFileNameTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>The id of a process that has exited and been reaped, so no process has it now.</summary>
    internal static int ExitedProcessId()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }

    private string Touch(string name)
    {
        var path = _dir.File(name);
        File.WriteAllText(path, "partial");
        return path;
    }

    private static string Name(string target, int pid, string? purpose = null) =>
        $".{target}.{pid}.{Guid.NewGuid():N}{(purpose is null ? "" : "." + purpose)}.tmp";

    [Fact]
    public void A_created_name_is_hidden_beside_its_target_and_is_recognised_with_this_process_as_owner()
    {
        var plain = TemporaryFileName.For(_dir.File("checkpoint.ckpt"));
        var verify = TemporaryFileName.For(_dir.File("model.onnx"), "verify");

        Assert.Equal(_dir.Path, Path.GetDirectoryName(plain));
        Assert.Matches($@"^\.checkpoint\.ckpt\.{Environment.ProcessId}\.[0-9a-f]{{32}}\.tmp$", Path.GetFileName(plain));
        Assert.EndsWith(".verify.tmp", verify);
        Assert.True(TemporaryFileName.TryParse(Path.GetFileName(plain), out var target, out var pid));
        Assert.Equal(("checkpoint.ckpt", Environment.ProcessId), (target, pid));
        Assert.True(TemporaryFileName.TryParse(Path.GetFileName(verify), out target, out pid));
        Assert.Equal(("model.onnx", Environment.ProcessId), (target, pid));
        Assert.Throws<ArgumentException>(() => TemporaryFileName.For(_dir.File("x"), "Not.A.Purpose"));
    }

    [Theory]
    [InlineData(".checkpoint.ckpt.tmp")]
    [InlineData("checkpoint.ckpt.123.0123456789abcdef0123456789abcdef.tmp")]
    [InlineData(".checkpoint.ckpt.123.not-a-guid.tmp")]
    [InlineData(".checkpoint.ckpt.123.0123456789abcdef0123456789abcdef.tmp.bak")]
    [InlineData(".checkpoint.ckpt.0.0123456789abcdef0123456789abcdef.tmp")]
    [InlineData(".checkpoint.ckpt.99999999999.0123456789abcdef0123456789abcdef.tmp")]
    public void Names_not_made_by_For_are_not_ours(string name) =>
        Assert.False(TemporaryFileName.TryParse(name, out _, out _));

    [Fact]
    public void Only_our_temporary_files_of_processes_that_are_gone_are_removed()
    {
        int gone = ExitedProcessId();
        var stale = new[] { Touch(Name("checkpoint.ckpt", gone)), Touch(Name("history.csv", gone)), Touch(Name("model.onnx", gone, "verify")) };
        var kept = new[]
        {
            Touch(Name("checkpoint.ckpt", Environment.ProcessId)), // a live writer: this process
            Touch(".checkpoint.ckpt.tmp"),
            Touch($"checkpoint.ckpt.{gone}.{Guid.NewGuid():N}.tmp"),
            Touch($".notes.{gone}.draft.tmp"),
            Touch("metrics.json"),
        };
        Directory.CreateDirectory(_dir.File(Name("folder", gone)));

        Assert.Equal(3, TemporaryFileName.RemoveStale(_dir.Path));

        Assert.All(stale, p => Assert.False(File.Exists(p), p));
        Assert.All(kept, p => Assert.True(File.Exists(p), p));
        Assert.Single(Directory.GetDirectories(_dir.Path));
        Assert.Equal(0, TemporaryFileName.RemoveStale(_dir.Path));
    }

    [Fact]
    public void A_file_of_another_running_process_is_kept_until_that_process_has_ended()
    {
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false })!;
        string file;
        try
        {
            file = Touch(Name("checkpoint.ckpt", sleeper.Id));
            Assert.True(TemporaryFileName.IsRunning(sleeper.Id));
            Assert.Equal(0, TemporaryFileName.RemoveStale(_dir.Path));
            Assert.True(File.Exists(file));
        }
        finally
        {
            sleeper.Kill();
            sleeper.WaitForExit();
        }
        Assert.False(TemporaryFileName.IsRunning(sleeper.Id));
        Assert.Equal(1, TemporaryFileName.RemoveStale(_dir.Path));
        Assert.False(File.Exists(file));
    }

    [Fact]
    public void A_missing_folder_has_nothing_to_remove() =>
        Assert.Equal(0, TemporaryFileName.RemoveStale(_dir.File("nope")));
}
