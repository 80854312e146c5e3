using System.Diagnostics;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Tests.Onnx;

/// <summary>Exported files load and run in processes that did not write them: the trainer's onnx-check and onnx's own checker.</summary>
public class ExportedFileOutOfProcessTests
{
    [Fact]
    public void An_exported_CNN_loads_and_runs_in_a_fresh_ONNX_Runtime_session_in_another_process()
    {
        using var f = new ExportFixture("conv(4,3,pad=1) batchnorm relu maxpool(2) flatten linear(10)", [1, 28, 28]);
        var result = f.Export();

        var (code, stdout, stderr) = Child.Trainer("onnx-check", result.Path);

        Assert.True(code == 0, stderr);
        var report = Assert.Single(stdout.Trim().Split('\n'));
        Assert.StartsWith($"{result.Path}: ok: ", report);
        Assert.All(
            ["multiclass", "10 labels", "input [3,1,28,28] float32", "logits [3,10]", "probabilities [3,10]",
             result.MaxAbsDiff.ToString("0.0E+0", System.Globalization.CultureInfo.InvariantCulture)],
            fact => Assert.Contains(fact, report));
    }

    [Fact]
    public void An_exported_float64_xor_net_loads_and_runs_in_another_process()
    {
        using var f = new ExportFixture("linear(2) sigmoid linear(1) sigmoid", [2], ScalarType.Float64);
        var result = f.Export();

        var (code, stdout, stderr) = Child.Trainer("onnx-check", result.Path);

        Assert.True(code == 0, stderr);
        var report = Assert.Single(stdout.Trim().Split('\n'));
        Assert.StartsWith($"{result.Path}: ok: ", report);
        Assert.All(["binary", "2 labels", "input [3,2] float64", "probability [3,1]"], fact => Assert.Contains(fact, report));
    }

    [Fact]
    public void A_file_that_is_not_ONNX_fails_the_check_with_one_line_naming_it()
    {
        using var f = new ExportFixture("linear(2) relu linear(2)", [2], trainSteps: 0);
        File.WriteAllText(f.PathFor("broken.onnx"), "not a model");

        var (code, stdout, stderr) = Child.Trainer("onnx-check", f.PathFor("broken.onnx"));

        Assert.Equal(1, code);
        Assert.Empty(stdout);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.StartsWith($"trainer: {f.PathFor("broken.onnx")}: ", stderr.Trim());
        Assert.Contains("not an ONNX model", stderr);
    }

    [Fact]
    public void Exported_nets_of_every_layer_kind_pass_onnx_checker_full_check()
    {
        // 'make test' installs python3-onnx (mk/prerequisites.mk), so a missing checker fails loudly, never skips.
        Assert.True(PythonOnnx.Python is not null, "needs python3 with the onnx package: run make test-prerequisites (Debian's python3-onnx)");
        var specs = new (string Spec, long[] Shape, ScalarType Type)[]
        {
            ("conv(4,3,stride=2,pad=1,dilation=2,groups=2) batchnorm leakyrelu(0.1) avgpool(2,pad=1) maxpool(2) flatten linear(8) tanh dropout linear(10)", [2, 16, 16], ScalarType.Float32),
            ("linear(2) sigmoid linear(1) sigmoid", [2], ScalarType.Float64),
            ("linear(4) batchnorm leakyrelu relu linear(3)", [2], ScalarType.Float64),
        };
        foreach (var (spec, shape, type) in specs)
        {
            using var f = new ExportFixture(spec, shape, type);
            var path = f.Export().Path;

            var (code, stdout, stderr) = Child.Run(PythonOnnx.Python!, "-c",
                "import sys, onnx; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); " +
                "print(m.ir_version, m.opset_import[0].version, len(m.metadata_props))", path);

            Assert.True(code == 0, $"{spec}: {stderr}");
            Assert.StartsWith("8 17 ", stdout);
        }
    }
}

/// <summary>The Python with the onnx package (Debian: python3-onnx) that checks exported files, or null when none is installed.</summary>
internal static class PythonOnnx
{
    public static readonly string? Python = new[] { "/usr/bin/python3", "python3" }
        .FirstOrDefault(p => Child.TryRun(p, "-c", "import onnx.checker") == 0);
}

internal static class Child
{
    /// <summary>Runs the trainer built beside the tests through the dotnet host that runs them.</summary>
    public static (int Code, string Stdout, string Stderr) Trainer(params string[] args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        return Run(dotnet, [Path.Combine(AppContext.BaseDirectory, "trainer.dll"), .. args]);
    }

    public static (int Code, string Stdout, string Stderr) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(60_000))
        {
            p.Kill();
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 60 s");
        }
        return (p.ExitCode, stdout, stderr.Result);
    }

    public static int TryRun(string file, params string[] args)
    {
        try
        {
            return Run(file, args).Code;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1; // not installed
        }
    }
}
