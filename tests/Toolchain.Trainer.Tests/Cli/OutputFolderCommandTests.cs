using System.Diagnostics;
using Toolchain.Trainer.Cli;
using Toolchain.Trainer.Tests.Training;
using Toolchain.Trainer.Training;

namespace Toolchain.Trainer.Tests.Cli;

/// <summary>What <c>trainer train</c> and <c>trainer export</c> do with their output folder before the work starts.</summary>
[Collection(TorchRandomState.Name)]
public class OutputFolderCommandTests
{
    private static (int Code, string Out, string Err) Train(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = TrainCommand.Run(args, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>The id of a process that has exited and been reaped, as one killed with -9 mid-write would be.</summary>
    private static int ExitedProcessId()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }

    // The names the trainer's writers use (AtomicFile, the export's verification copy), spelled out as a user sees them.
    private static string Leftover(string dir, string target, int pid, string suffix = ".tmp")
    {
        var path = Path.Combine(dir, $".{target}.{pid}.{Guid.NewGuid():N}{suffix}");
        File.WriteAllText(path, "cut off by kill -9");
        return path;
    }

    [Fact]
    public void Train_and_export_remove_temporary_files_of_dead_processes_and_keep_live_and_unrelated_ones()
    {
        using var dir = new TempDir();
        int dead = ExitedProcessId();
        var stale = new[]
        {
            Leftover(dir.Path, Checkpoint.FileName, dead),
            Leftover(dir.Path, "history.csv", dead),
            Leftover(dir.Path, "model.onnx", dead, ".verify.tmp"),
        };
        var live = Leftover(dir.Path, Checkpoint.FileName, Environment.ProcessId);
        var unrelated = new[] { ".checkpoint.ckpt.tmp", $"notes.{dead}.{Guid.NewGuid():N}.tmp", "keep.txt" }
            .Select(n => Path.Combine(dir.Path, n)).ToList();
        unrelated.ForEach(p => File.WriteAllText(p, "mine"));

        var (code, output, err) = Train("xor", "--epochs", "1", "--out", dir.Path, "--no-export");

        Assert.True(code == 0, err);
        Assert.Contains($"removed 3 temporary files that interrupted runs left in {dir.Path}\n", output.Replace("\r", "", StringComparison.Ordinal));
        Assert.All(stale, p => Assert.False(File.Exists(p), p));
        Assert.True(File.Exists(live));
        Assert.All(unrelated, p => Assert.True(File.Exists(p), p));

        var again = Leftover(dir.Path, "model.onnx", dead);
        var export = new StringWriter();
        var exportError = new StringWriter();
        code = ExportCommand.Run(["--checkpoint", Path.Combine(dir.Path, Checkpoint.FileName)], export, exportError);
        Assert.True(code == 0, exportError.ToString());
        // The first line reports the clean-up: how many files and where.
        var cleanUp = export.ToString().Split('\n')[0];
        Assert.All(["removed 1 temporary file ", dir.Path], fact => Assert.Contains(fact, cleanUp));
        Assert.False(File.Exists(again));
        Assert.True(File.Exists(live));
    }

    [Theory]
    [InlineData("proc")]
    [InlineData("under-a-file")]
    [InlineData("a-file")]
    public void An_output_folder_that_cannot_be_written_fails_before_training_with_one_line_naming_it(string kind)
    {
        using var dir = new TempDir();
        var file = Path.Combine(dir.Path, "file");
        File.WriteAllText(file, "");
        var (folder, facts) = kind switch
        {
            // Running as root defeats chmod 555; /proc is a folder in which not even root can create files.
            "proc" => ("/proc", new[] { "'/proc'", "not writable" }),
            "under-a-file" => (Path.Combine(file, "out"), [$"'{file}/out'", "not writable", $"'{file}' is a file"]),
            _ => (file, [$"'{file}'", "not a folder"]),
        };

        var (code, output, err) = Train("xor", "--epochs", "1", "--out", folder);

        Assert.Equal(1, code);
        TrainCommandTests.OneLineNaming(err, "train", facts);
        Assert.DoesNotContain("training", output);
        Assert.DoesNotContain("epoch", output);
    }

    [UnprivilegedFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_folder_without_write_permission_fails_before_training_with_permission_denied()
    {
        using var dir = new TempDir();
        var folder = Path.Combine(dir.Path, "read-only");
        Directory.CreateDirectory(folder);
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            var (code, output, err) = Train("xor", "--epochs", "1", "--out", folder);
            Assert.Equal(1, code);
            TrainCommandTests.OneLineNaming(err, "train", $"'{folder}'", "permission denied");
            Assert.DoesNotContain("epoch", output);
        }
        finally
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    public void A_run_that_fails_on_its_data_leaves_no_empty_out_folder()
    {
        using var dir = new TempDir();
        var table = Path.Combine(dir.Path, "header-only.csv");
        File.WriteAllText(table, "a,b,species\n");
        var outPath = Path.Combine(dir.Path, "runs", "first");

        var (code, _, err) = Train("mlp", "--dataset", table, "--out", outPath);

        Assert.Equal(1, code);
        Assert.Equal($"trainer train: {table}: has a header but no rows\n", err.Replace("\r", "", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "runs")));
    }

    [Fact]
    public void Export_to_a_folder_names_the_file_it_wants_in_one_line()
    {
        using var dir = new TempDir();
        var output = new StringWriter();
        var error = new StringWriter();

        var code = ExportCommand.Run(["--checkpoint", Path.Combine(dir.Path, "none.ckpt"), "--out", dir.Path], output, error);

        Assert.Equal(1, code);
        Assert.Equal($"trainer export: option '--out' names the folder {dir.Path}; give the ONNX file to write, e.g. {Path.Combine(dir.Path, "model.onnx")} (see 'trainer export --help')\n",
            error.ToString().Replace("\r", "", StringComparison.Ordinal));
    }
}

/// <summary>A fact that needs file permissions to bind, which they do not for root.</summary>
public sealed class UnprivilegedFactAttribute : FactAttribute
{
    public UnprivilegedFactAttribute()
    {
        if (Environment.IsPrivilegedProcess)
        {
            Skip = "running as root, which may write into a folder without write permission; "
                + "the /proc and file-in-the-way cases of the unwritable-folder theory still run";
        }
    }
}
