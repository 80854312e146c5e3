using System.Diagnostics;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Cli.Tests;

/// <summary>The real executable, as a child process: exit codes and streams as a shell sees them.</summary>
public sealed class ProcessTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static (int Code, string Out, string Error) RunInfer(params string[] args) => RunInferWithHome(null, args);

    private static (int Code, string Out, string Error) RunInferWithHome(string? home, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "infer.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (home is not null)
        {
            start.Environment["HOME"] = home;
            start.Environment["XDG_CACHE_HOME"] = home;
        }
        start.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var p = Process.Start(start)!;
        using var stop = new ProcessKiller(p);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill();
            throw new TimeoutException("infer did not finish in 60 s");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public async Task A_signal_while_images_are_being_written_leaves_no_temporary_file_behind_and_exits_128_plus_its_number(string signal, int exitCode)
    {
        Assert.False(signal == "INT" && InheritedSignals.IsIgnored(2), InheritedSignals.Why(2));
        var outDir = _files.PathOf("pngs");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "infer.dll"), "images", "--dataset", Toolchain.TestSupport.MnistSample.Directory,
            "--split", "train", "--count", "7000", "--out", outDir })
        {
            start.ArgumentList.Add(a);
        }
        using var p = Process.Start(start)!;
        using var stop = new ProcessKiller(p);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await Eventually.TrueAsync(() => p.HasExited || (Directory.Exists(outDir) && Directory.GetFiles(outDir, "*.png").Length >= 100),
            "infer images has written 100 PNGs");

        using (var kill = Process.Start("kill", ["-" + signal, p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
        {
            await kill.WaitForExitAsync();
        }
        Assert.True(p.WaitForExit(30_000), $"infer did not stop after SIG{signal}");
        var errors = await stderr;
        await stdout;

        // Whether it noticed while writing (and said "interrupted") or the signal ended it between two files, the code
        // is the one a shell reports for that signal.
        Assert.True(p.ExitCode == exitCode, $"exit code {p.ExitCode}, stderr: {errors}");
        var left = Directory.GetFiles(outDir, "*", SearchOption.AllDirectories);
        Assert.InRange(left.Length, 100, 6999);
        Assert.DoesNotContain(left, f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void The_infer_program_classifies_good_files_reports_bad_ones_and_exits_2()
    {
        var model = _files.ImageModel();
        var good = _files.Png("good.png", 8);
        var bad = _files.Bytes("bad.png", [0x89, (byte)'P', (byte)'N', (byte)'G']);

        var (code, stdout, stderr) = RunInfer("classify", "--model", model, "--provider", "cpu", "--raw", good, bad);

        Assert.Equal(2, code);
        Assert.StartsWith($"{good}\tdigit 8\t", stdout);
        Assert.StartsWith($"infer: {bad}: ", stderr);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void The_infer_program_rejects_a_corrupt_model_with_one_line_and_exit_1()
    {
        var model = _files.Text("corrupt.onnx", "garbage");

        var (code, stdout, stderr) = RunInfer("info", "--model", model);

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.StartsWith($"infer: {model}", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void The_infer_program_prints_nothing_from_ONNX_Runtime_when_the_home_folder_cannot_be_written()
    {
        // A service account or a locked-down container: ONNX Runtime cannot persist its telemetry id there and used to
        // print a coloured warning line to stderr on every run.
        var model = _files.ImageModel();
        var good = _files.Png("good.png", 8);

        var (code, stdout, stderr) = RunInferWithHome("/proc/no-home", "classify", "--model", model, "--provider", "cpu", "--raw", good);

        Assert.Equal(0, code);
        Assert.StartsWith($"{good}\tdigit 8\t", stdout);
        Assert.Equal("", stderr);
    }

    [Fact]
    public void A_model_ONNX_Runtime_refuses_gets_our_one_line_and_nothing_from_ORTs_own_logger()
    {
        var model = Toolchain.TestSupport.TinyOnnxModels.WriteImageClassifierWithBadInitializerDims(_files.PathOf("bad-dims.onnx"));

        var (code, stdout, stderr) = RunInfer("info", "--model", model);

        Assert.Equal(1, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"infer: {model}: ", line);
        Assert.DoesNotContain("\u001b", stderr + stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("onnxruntime:", stderr + stdout);
    }
}
