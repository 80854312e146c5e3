using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Toolchain.TestSupport;
using Toolchain.Trainer.Cli;
using Toolchain.Trainer.Tests.Training;
using Toolchain.Trainer.Training;

namespace Toolchain.Trainer.Tests.Cli;

[Collection(TorchRandomState.Name)]
public class TrainCommandTests
{
    private static (int Code, string Out, string Err) Train(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = TrainCommand.Run(args, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// <paramref name="err"/> is one line from <paramref name="command"/> holding each of <paramref name="facts"/> (the
    /// input's name, the numbers); the exact wording is pinned only in <see cref="TrainerMessageWordingTests"/>.
    /// </summary>
    internal static void OneLineNaming(string err, string command, params string[] facts)
    {
        var line = Assert.Single(err.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"trainer {command}: ", line);
        Assert.All(facts, fact => Assert.Contains(fact, line));
    }

    [Fact]
    public void A_bad_architecture_spec_is_one_line_pointing_at_the_token_with_exit_code_1()
    {
        using var dir = new TempDir();
        var (code, _, err) = Train("mlp", "--arch", "flatten linear(64) frob linear(10)", "--out", dir.Path);
        Assert.Equal(1, code);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith("trainer train: arch: unknown layer 'frob'", err);
        Assert.Contains(">>>frob<<<", err);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void An_architecture_that_does_not_end_in_one_logit_per_class_is_refused()
    {
        var (code, _, err) = Train("xor", "--arch", "linear(3) sigmoid linear(2)", "--out", Path.GetTempPath(), "--epochs", "1");
        Assert.Equal(1, code);
        OneLineNaming(err, "train", "arch", "[2]", "[1]", "linear(1) sigmoid");
    }

    [Fact]
    public void An_unknown_option_is_a_usage_error_with_exit_code_1()
    {
        var (code, _, err) = Train("xor", "--epohcs", "3");
        Assert.Equal(1, code);
        OneLineNaming(err, "train", "'--epohcs'", "--help");
    }

    [Fact]
    public void A_non_numeric_value_names_the_option()
    {
        var (code, _, err) = Train("xor", "--lr", "fast");
        Assert.Equal(1, code);
        OneLineNaming(err, "train", "'--lr'", "--help");
    }

    [Fact]
    public void A_missing_model_is_a_usage_error_naming_the_choices()
    {
        var (code, _, err) = Train();
        Assert.Equal(1, code);
        OneLineNaming(err, "train", "xor, mlp or cnn");
    }

    [Theory]
    [InlineData(new[] { "mlp", "0.01" }, new[] { "'0.01'" })]
    [InlineData(new[] { "rnn" }, new[] { "'rnn'", "xor, mlp, cnn" })]
    [InlineData(new[] { "mlp", "--epochs", "0" }, new[] { "--epochs", "1 to 1000000", "0" })]
    [InlineData(new[] { "mlp", "--optimizer", "rmsprop" }, new[] { "--optimizer", "'rmsprop'", "sgd, adam" })]
    [InlineData(new[] { "mlp", "--lr-schedule", "step" }, new[] { "--lr-schedule", "'step'", "none, cosine" })]
    [InlineData(new[] { "xor", "--dataset", "mnist" }, new[] { "--dataset", "xor", "--data-seed" })]
    [InlineData(new[] { "mlp", "--preset", "fast" }, new[] { "--preset", "'fast'", "default, plain, notebook" })]
    [InlineData(new[] { "mlp", "--preset", "Plain" }, new[] { "--preset", "'Plain'", "default, plain, notebook" })]
    [InlineData(new[] { "XOR" }, new[] { "'XOR'", "xor, mlp, cnn" })]
    [InlineData(new[] { "xor", "--seed", "9223372036854775807", "--restarts", "3" }, new[] { "--seed 9223372036854775807", "--restarts 3", "9223372036854775787" })]
    public void Invalid_settings_are_one_line_errors_with_exit_code_1(string[] args, string[] facts)
    {
        var (code, _, err) = Train(args);
        Assert.Equal(1, code);
        OneLineNaming(err, "train", facts);
    }

    [Fact]
    public void The_plain_and_notebook_presets_give_the_issues_recipes()
    {
        var plain = TrainOptionsResolver.ResolveOptions(new TrainArguments { Model = "cnn", Preset = "plain" });
        Assert.Equal((1e-3, OptimizerKind.Adam, LearningRateDecay.None, 0, 64, 5), (plain.LearningRate, plain.Optimizer, plain.LrSchedule, plain.AugmentShift, plain.BatchSize, plain.Epochs));
        var notebook = TrainOptionsResolver.ResolveOptions(new TrainArguments { Model = "mlp", Preset = "notebook" });
        Assert.Equal((1e-3, OptimizerKind.Sgd, 10, 0.1307, 0.3015), (notebook.LearningRate, notebook.Optimizer, notebook.Epochs, notebook.NormalizationMean, notebook.NormalizationStd));
        var tuned = TrainOptionsResolver.ResolveOptions(new TrainArguments { Model = "mlp", Lr = 0.01, Augment = "0" });
        Assert.Equal((0.01, 0, LearningRateDecay.WarmupCosine), (tuned.LearningRate, tuned.AugmentShift, tuned.LrSchedule));
    }

    [Fact]
    public void Optimizer_and_schedule_take_any_casing_as_before_they_were_enums()
    {
        var o = TrainOptionsResolver.ResolveOptions(new TrainArguments { Model = "cnn", Optimizer = "SGD", LrSchedule = "Cosine", Preset = "notebook" });
        Assert.Equal((BuiltInModel.Cnn, OptimizerKind.Sgd, LearningRateDecay.Cosine, RecipePreset.Notebook), (o.Model, o.Optimizer, o.LrSchedule, o.Preset));
    }

    [Fact]
    public void Device_cuda_on_a_cpu_only_build_fails_with_how_to_build_for_cuda()
    {
        using var dir = new TempDir();
        var (code, _, err) = Train("xor", "--device", "cuda", "--out", dir.Path);
        Assert.Equal(1, code);
        OneLineNaming(err, "train", "--device cuda", "CPU-only", "make train TORCH=cuda");
    }

    [Fact]
    public void Resume_without_a_checkpoint_says_so()
    {
        using var dir = new TempDir();
        var (code, _, err) = Train("xor", "--resume", "--out", dir.Path);
        Assert.Equal(1, code);
        OneLineNaming(err, "train", Path.Combine(dir.Path, Checkpoint.FileName), "no checkpoint");
    }

    [Fact]
    public void Resume_refuses_a_setting_that_differs_from_the_checkpoint()
    {
        using var dir = new TempDir();
        Assert.Equal(0, Train("xor", "--epochs", "2", "--out", dir.Path, "--no-export", "-q").Code);
        var (code, _, err) = Train("xor", "--resume", "--lr", "0.1", "--epochs", "3", "--out", dir.Path);
        Assert.Equal(1, code);
        OneLineNaming(err, "train", "--lr 0.1", "0.5");
    }

    [Fact]
    public void The_largest_seed_whose_restart_seeds_all_fit_is_accepted()
    {
        var options = TrainOptionsResolver.ResolveOptions(new TrainArguments { Model = "xor", Seed = long.MaxValue - 20, Restarts = 3 });
        Assert.Equal((long.MaxValue - 20, 3), (options.Seed, options.Restarts));
    }

    [Fact]
    public void Resume_refuses_a_dataset_folder_other_than_the_checkpoints_but_accepts_the_same_folder_spelled_differently()
    {
        using var dir = new TempDir();
        var first = TrainingFixtures.WriteQuadrantsFolder(Path.Combine(dir.Path, "first"));
        var second = TrainingFixtures.WriteQuadrantsFolder(Path.Combine(dir.Path, "second"), seed: 2);
        var outDir = Path.Combine(dir.Path, "out");
        Assert.Equal(0, Train("mlp", "--dataset", first, "--arch", "flatten linear(4)", "--epochs", "1", "--out", outDir, "--no-export", "-q").Code);

        var (code, _, err) = Train("mlp", "--dataset", second, "--resume", "--epochs", "2", "--out", outDir, "--no-export", "-q");
        Assert.Equal(1, code);
        OneLineNaming(err, "train", $"--dataset {second}", first);

        var sameFolder = Path.Combine(dir.Path, "second", "..", "first");
        (code, var output, err) = Train("mlp", "--dataset", sameFolder, "--resume", "--epochs", "2", "--out", outDir, "--no-export", "-q");
        Assert.True(code == 0, err);
        Assert.StartsWith($"mlp: test accuracy", output);
        Assert.Contains($"on {first} after 2 epochs", output);

        (code, output, err) = Train("mlp", "--resume", "--epochs", "3", "--out", outDir, "--no-export", "-q");
        Assert.True(code == 0, err);
        Assert.Contains($"on {first} after 3 epochs", output);
    }

    [Fact]
    public void Xor_stalled_below_90_percent_training_accuracy_gets_one_note_on_stderr_and_still_exits_0()
    {
        using var dir = new TempDir();
        var (code, output, err) = Train("xor", "--seed", "2", "--out", dir.Path, "--no-export", "-q");
        Assert.Equal(0, code);
        OneLineNaming(err, "train", "note", "50.25%", "200 epochs", "--restarts 5");
        Assert.StartsWith("xor: test accuracy 50.25%", output);
    }

    [Fact]
    public void Xor_that_fits_its_training_data_gets_no_note()
    {
        using var dir = new TempDir();
        var (code, output, err) = Train("xor", "--seed", "0", "--out", dir.Path, "--no-export", "-q");
        Assert.Equal(0, code);
        Assert.Equal("", err);
        Assert.StartsWith("xor: test accuracy 100.00%", output);
    }

    [Fact]
    public void An_image_model_at_chance_level_on_its_test_split_gets_one_note_on_stderr_and_still_exits_0()
    {
        using var dir = new TempDir();
        // Black test images make any net answer one class for all of them: exactly 25% of four balanced classes.
        var data = TrainingFixtures.WriteQuadrantsFolder(Path.Combine(dir.Path, "data"), blankTest: true);
        var (code, output, err) = Train("mlp", "--dataset", data, "--arch", "flatten linear(4)", "--epochs", "1",
            "--out", Path.Combine(dir.Path, "out"), "--no-export", "-q");
        Assert.Equal(0, code);
        OneLineNaming(err, "train", "note", "25.00%", "4 classes");
        Assert.StartsWith("mlp: test accuracy 25.00%", output);
    }

    [Theory]
    [InlineData("mlp", "flatten linear(256) relu linear(128) relu linear(4)")]
    [InlineData("cnn", "linear(128) relu dropout(0.25) linear(4)")]
    public void The_built_in_networks_end_in_one_logit_per_class_of_a_dataset_with_other_than_ten(string model, string ending)
    {
        using var dir = new TempDir();
        var data = TrainingFixtures.WriteQuadrantsFolder(Path.Combine(dir.Path, "data"));

        var (code, output, err) = Train(model, "--dataset", data, "--epochs", "1", "--out", Path.Combine(dir.Path, "out"), "--no-export");

        Assert.True(code == 0, err);
        Assert.Contains($"{ending}\n", output.Replace("\r", "", StringComparison.Ordinal));
    }

    [Fact]
    public void A_run_reports_the_seconds_from_the_process_start_to_its_first_training_batch_in_its_output_and_metrics()
    {
        using var dir = new TempDir();
        double before = FirstBatchClock.ProcessSeconds();

        var (code, output, err) = Train("xor", "--epochs", "2", "--no-export", "--out", dir.Path);
        double after = FirstBatchClock.ProcessSeconds();
        var (quietCode, quiet, _) = Train("xor", "--epochs", "2", "--no-export", "-q", "--out", Path.Combine(dir.Path, "q"));

        Assert.True(code == 0, err);
        var printed = System.Text.RegularExpressions.Regex.Match(output, @"^start-up: training began (\d+\.\d\d) s after the process started$",
            System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.True(printed.Success, output);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "metrics.json")));
        double seconds = metrics.RootElement.GetProperty("startup_seconds").GetDouble();
        // In a test the process is the test host, started before this test: the figure lies between the two readings.
        Assert.InRange(seconds, before, after);
        Assert.Equal(seconds, double.Parse(printed.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 0.006);
        Assert.Equal(0, quietCode);
        Assert.DoesNotContain("start-up:", quiet, StringComparison.Ordinal);
    }

    [Fact]
    public void Training_xor_writes_checkpoint_history_charts_metrics_and_onnx_and_resume_continues_it()
    {
        using var dir = new TempDir();
        var (code, output, err) = Train("xor", "--epochs", "3", "--out", dir.Path);
        Assert.True(code == 0, err);
        Assert.Contains("device: cpu (1 threads)", output);
        Assert.Contains("epoch 3/3", output);

        var history = File.ReadAllLines(Path.Combine(dir.Path, "history.csv"));
        Assert.Equal(TrainingHistory.Header, history[0]);
        Assert.Equal(["0", "1", "2", "3"], history.Skip(1).Select(l => l.Split(',')[0]));
        foreach (var png in new[] { "loss.png", "decision-boundary.png" })
        {
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(Path.Combine(dir.Path, png))[..4]);
        }
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.Path, "metrics.json")));
        var m = metrics.RootElement;
        Assert.Equal("xor", m.GetProperty("dataset").GetString());
        Assert.Equal(400, m.GetProperty("train_count").GetInt32());
        Assert.Equal("cpu", m.GetProperty("device").GetString());
        Assert.Equal("0.5", m.GetProperty("hyperparameters").GetProperty("lr").GetString());
        Assert.Equal(double.Parse(history[^1].Split(',')[4], System.Globalization.CultureInfo.InvariantCulture), m.GetProperty("test_accuracy").GetDouble());
        Assert.True(File.Exists(Path.Combine(dir.Path, "model.onnx")));
        Assert.True(m.GetProperty("export_max_abs_diff").GetDouble() <= 1e-12);
        Assert.Equal(3, Checkpoint.Load(Path.Combine(dir.Path, Checkpoint.FileName)).Epoch);

        (code, output, err) = Train("xor", "--resume", "--epochs", "5", "--out", dir.Path, "--no-export");
        Assert.True(code == 0, err);
        Assert.Contains("resuming from epoch 3 of xor", output);
        Assert.Equal(7, File.ReadAllLines(Path.Combine(dir.Path, "history.csv")).Length);
        Assert.Equal(5, Checkpoint.Load(Path.Combine(dir.Path, Checkpoint.FileName)).Epoch);
    }

    [Fact]
    public void Export_rewrites_the_onnx_file_from_a_checkpoint()
    {
        using var dir = new TempDir();
        Assert.Equal(0, Train("xor", "--epochs", "1", "--out", dir.Path, "--no-export", "-q").Code);
        var target = Path.Combine(dir.Path, "again.onnx");
        var output = new StringWriter();
        var error = new StringWriter();
        int code = ExportCommand.Run(["--checkpoint", Path.Combine(dir.Path, Checkpoint.FileName), "--out", target], output, error);
        Assert.True(code == 0, error.ToString());
        Assert.StartsWith($"exported {target}", output.ToString());
        Assert.True(new FileInfo(target).Length > 100);
    }

    [Fact]
    public void Export_of_a_missing_checkpoint_is_one_line_with_the_path()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = ExportCommand.Run(["--checkpoint", "/nowhere/checkpoint.ckpt"], output, error);
        Assert.Equal(1, code);
        OneLineNaming(error.ToString(), "export", "/nowhere/checkpoint.ckpt", "no such checkpoint");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [Theory]
    [InlineData(2, 130)] // SIGINT, Ctrl-C
    [InlineData(15, 143)] // SIGTERM, as sent by kill, systemd or docker stop
    public async Task A_signal_finishes_the_batch_writes_a_loadable_checkpoint_says_how_to_resume_and_exits_128_plus_its_number(int signal, int exitCode)
    {
        Assert.False(InheritedSignals.IsIgnored(signal), InheritedSignals.Why(signal));
        using var dir = new TempDir();
        var trainerDll = typeof(TrainCommand).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { trainerDll, "train", "xor", "--epochs", "1000000", "--out", dir.Path, "--no-export" })
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        // A failed assertion must not leave a million-epoch run behind.
        using var stop = new ProcessKiller(process);
        var lines = new List<string>();
        var started = new ManualResetEventSlim();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (lines)
            {
                lines.Add(e.Data);
            }
            if (e.Data.StartsWith("epoch 0/", StringComparison.Ordinal))
            {
                started.Set();
            }
        };
        var err = process.StandardError.ReadToEndAsync();
        process.BeginOutputReadLine();
        // "epoch 0/" is printed after the signal handlers are registered and before the first batch.
        Assert.True(started.Wait(TimeSpan.FromSeconds(60)), "training did not start");
        Assert.Equal(0, kill(process.Id, signal));
        Assert.True(process.WaitForExit(60_000), $"the trainer did not stop after signal {signal}");
        process.WaitForExit();

        var stderr = await err;
        Assert.True(process.ExitCode == exitCode, $"exit {process.ExitCode}: {stderr}");
        string all;
        lock (lines)
        {
            all = string.Join('\n', lines);
        }
        Assert.Contains($"checkpoint written to {Path.Combine(dir.Path, Checkpoint.FileName)}", all);
        Assert.Contains($"resume with: trainer train xor --out {dir.Path} --resume", all);
        var checkpoint = Checkpoint.Load(Path.Combine(dir.Path, Checkpoint.FileName));
        using var model = checkpoint.Model;
        Assert.Equal("linear(2) sigmoid linear(1) sigmoid", checkpoint.Spec.Canonical);
        Assert.Empty(Directory.GetFiles(dir.Path, ".*.tmp"));
    }
}
