using System.Runtime.InteropServices;
using Toolchain.Cli;
using Toolchain.Trainer.Cli;
using Toolchain.Trainer.Tests.Training;
using Toolchain.Trainer.Training;

namespace Toolchain.Trainer.Tests.Cli;

/// <summary>Bad checkpoints and paths given to <c>trainer export</c> and <c>trainer train --resume</c>: one line, the file, a non-zero exit.</summary>
[Collection(TorchRandomState.Name)]
public class ExportCommandTests(XorCheckpointFixture checkpoint) : IClassFixture<XorCheckpointFixture>, IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static (int Code, string Out, string Err) Export(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = ExportCommand.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir.Path, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static void AssertOneLine(string err) => Assert.True(err.EndsWith('\n') && err.Count(c => c == '\n') == 1, $"not one line: {err}");

    [Theory]
    [MemberData(nameof(CheckpointFiles.BadHeaders), MemberType = typeof(CheckpointFiles))]
    public void Export_of_a_checkpoint_with_a_bad_header_is_one_line_naming_the_file_and_the_problem(string edit, string[] facts)
    {
        var path = Write($"{edit}.ckpt", CheckpointFiles.WithHeader(checkpoint.Good, CheckpointFiles.Edit(edit)));
        var (code, _, err) = Export("--checkpoint", path, "--out", Path.Combine(_dir.Path, "m.onnx"));
        Assert.Equal(1, code);
        TrainCommandTests.OneLineNaming(err, "export", [$"trainer export: {path}: ", .. facts]);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "m.onnx")));
    }

    [Theory]
    [InlineData("card-null")]
    [InlineData("options-null")]
    [InlineData("architecture-null")]
    [InlineData("input-shape-zero")]
    [InlineData("history-null")]
    public void Resume_from_a_checkpoint_with_a_bad_header_is_one_line_naming_the_file(string edit)
    {
        var path = Write(Path.Combine(edit, Checkpoint.FileName), CheckpointFiles.WithHeader(checkpoint.Good, CheckpointFiles.Edit(edit)));
        var output = new StringWriter();
        var error = new StringWriter();
        int code = TrainCommand.Run(["xor", "--resume", "--epochs", "2", "--no-export", "-q", "--out", Path.GetDirectoryName(path)!], output, error, CancellationToken.None);
        Assert.Equal(1, code);
        AssertOneLine(error.ToString());
        Assert.StartsWith($"trainer train: {path}: ", error.ToString());
    }

    [Fact]
    public void Resume_with_data_of_another_input_shape_than_the_checkpoint_names_the_file()
    {
        var wider = CheckpointFiles.WithHeader(checkpoint.Good, h =>
        {
            h["InputShape"] = new System.Text.Json.Nodes.JsonArray(3);
            h["Card"]!["toolchain.input.shape"] = "[-1,3]";
        });
        var path = Write(Path.Combine("wider", Checkpoint.FileName), wider);
        var error = new StringWriter();
        int code = TrainCommand.Run(["xor", "--resume", "--epochs", "2", "--no-export", "-q", "--out", Path.GetDirectoryName(path)!], new StringWriter(), error, CancellationToken.None);
        Assert.Equal(1, code);
        TrainCommandTests.OneLineNaming(error.ToString(), "train", path, "[3]", "[2]");
    }

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MakeFifo(string path, uint mode);

    [Fact]
    public async Task A_named_pipe_as_checkpoint_is_refused_at_once_rather_than_waiting_for_a_writer()
    {
        var path = Path.Combine(_dir.Path, "pipe.ckpt");
        Assert.Equal(0, MakeFifo(path, 0b110_100_100));
        var export = Task.Run(() => Export("--checkpoint", path, "--out", Path.Combine(_dir.Path, "m.onnx")));
        try
        {
            // A TimeoutException here means export is blocked opening the pipe.
            var (code, _, err) = await export.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(1, code);
            TrainCommandTests.OneLineNaming(err, "export", path, "named pipe");
        }
        finally
        {
            if (!export.IsCompleted)
            {
                // Release the blocked reader so the test host can exit.
                using var writer = new FileStream(path, FileMode.Open, FileAccess.Write);
            }
        }
    }

    [Theory]
    [InlineData("--out")]
    [InlineData("--data-dir")]
    [InlineData("--checkpoint")]
    public void An_empty_path_is_a_usage_error_naming_the_option(string option)
    {
        var good = Write("good.ckpt", checkpoint.Good);
        var args = new Dictionary<string, string> { ["--checkpoint"] = good, ["--out"] = Path.Combine(_dir.Path, "m.onnx"), [option] = "" };
        var (code, _, err) = Export([.. args.SelectMany(kv => new[] { kv.Key, kv.Value })]);
        Assert.Equal(ExitCodes.Failed, code);
        TrainCommandTests.OneLineNaming(err, "export", $"'{option}'", "empty");
    }

    [Fact]
    public void Train_with_an_empty_out_is_a_usage_error()
    {
        var error = new StringWriter();
        int code = TrainCommand.Run(["xor", "--out", ""], new StringWriter(), error, CancellationToken.None);
        Assert.Equal(ExitCodes.Failed, code);
        TrainCommandTests.OneLineNaming(error.ToString(), "train", "'--out'", "empty");
    }

    [Fact]
    public void An_output_where_no_file_can_be_created_names_the_requested_path_not_a_temporary_one()
    {
        var good = Write("good.ckpt", checkpoint.Good);
        var (code, _, err) = Export("--checkpoint", good, "--out", "/proc/x.onnx");
        Assert.Equal(1, code);
        TrainCommandTests.OneLineNaming(err, "export", "/proc/x.onnx");
    }
}
