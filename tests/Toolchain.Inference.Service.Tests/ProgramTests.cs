using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests;

/// <summary>The service as a process: what a user sees when it cannot start.</summary>
public sealed class ProgramTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_port_in_use_is_one_line_naming_the_address_and_exit_code_1()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var model = LabelledTinyModels.Write(_dir.File("model.onnx"), "digit ");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var arg in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "Toolchain.Inference.Service.dll"), "--urls", $"http://127.0.0.1:{port}", "--model", model,
                     "--Classifier:Provider", "Cpu",
                 })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, process.ExitCode);
        var errors = (await stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(errors);
        Assert.Contains($"127.0.0.1:{port}", line);
        Assert.Contains("address already in use", line);
        Assert.DoesNotContain("   at ", await stdout + line);
    }
}
