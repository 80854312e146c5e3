using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests;

/// <summary>
/// The service as a real process on an ephemeral loopback port: its address read from Kestrel's "Now listening on"
/// line, its output kept, POSIX signals sent to it. Killed on dispose if still running.
/// </summary>
internal sealed partial class ServiceProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServiceProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) => _listening.TrySetException(new InvalidOperationException($"the service exited ({_process.ExitCode}) before listening:\n{Output}"));
    }

    public Uri Address { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public string Output => string.Join('\n', _lines);

    public int Id => _process.Id;

    /// <summary>
    /// Starts <paramref name="executable"/> (a published apphost, or <c>dotnet</c> with the dll first in
    /// <paramref name="args"/>) listening on 127.0.0.1 port 0 with <paramref name="args"/>, and returns once it listens.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(string executable, IEnumerable<string> args, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args.Concat(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Microsoft.Hosting.Lifetime", "Information"]))
        {
            start.ArgumentList.Add(arg);
        }
        var service = new ServiceProcess(Process.Start(start)!);
        try
        {
            service.Address = await service._listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
        service.Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = service.Address, Timeout = TimeSpan.FromSeconds(60) };
        return service;
    }

    /// <summary>The service's own dll beside the tests, run with <c>dotnet</c>.</summary>
    public static Task<ServiceProcess> StartBuiltAsync(params string[] args) =>
        StartAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "Toolchain.Inference.Service.dll"), .. args]);

    public void Terminate()
    {
        if (Kill(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Waits for the process to end and returns its exit code; throws after <paramref name="timeout"/>.</summary>
    public async Task<int> ExitCodeAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>Polls <paramref name="path"/> until it answers <paramref name="status"/> (<see cref="Eventually"/>'s deadline).</summary>
    public Task WaitForStatusAsync(string path, int status) =>
        Eventually.TrueAsync(
            async () =>
            {
                using var response = await Client.GetAsync(path);
                return (int)response.StatusCode == status;
            },
            $"{path} answers {status}; the service said:\n{Output}");

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _lines.Enqueue(line);
        if (ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups["url"].Value));
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [GeneratedRegex(@"Now listening on: (?<url>http://\S+)")]
    private static partial Regex ListeningLine();
}
