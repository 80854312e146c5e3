using System.Diagnostics;
using System.Runtime.Versioning;
using Toolchain.TestSupport;

namespace Toolchain.Cli.Tests.Build;

/// <summary>
/// mk/test-prerequisites.sh, the first step of 'make test' on a fresh machine (issue 21), run against stand-ins for
/// dpkg-query, apt-get, id and sudo on PATH: what it installs, and the one line it prints when it cannot.
/// </summary>
[SupportedOSPlatform("linux")] // a bash script run with POSIX file modes on its stand-ins
public sealed class TestPrerequisitesTests : IDisposable
{
    private readonly string _bin = Directory.CreateTempSubdirectory("prereq-bin-").FullName;
    private readonly string _log;

    public TestPrerequisitesTests()
    {
        _log = Path.Combine(_bin, "calls.log");
    }

    public void Dispose() => Directory.Delete(_bin, recursive: true);

    [Fact]
    public void With_every_package_installed_it_prints_nothing_and_installs_nothing()
    {
        Stub("dpkg-query", "echo -n 'install ok installed'");
        Stub("apt-get", $"echo \"apt-get $*\" >> {_log}");

        var (code, stdout, stderr) = Run(uid: 1000, sudo: false, "chromium", "python3-onnx");

        Assert.Equal(0, code);
        Assert.Equal("", stdout + stderr);
        Assert.False(File.Exists(_log));
    }

    [Fact]
    public void As_root_it_installs_only_the_missing_packages_and_waits_on_another_apts_lock()
    {
        Stub("dpkg-query", "[ \"${@: -1}\" = python3-onnx ] && echo -n 'install ok installed' || echo -n 'deinstall ok config-files'");
        Stub("apt-get", $"echo \"apt-get $*\" >> {_log}");

        var (code, stdout, _) = Run(uid: 0, sudo: false, "chromium", "python3-onnx", "fonts-dejavu-core");

        Assert.Equal(0, code);
        Assert.Contains("chromium fonts-dejavu-core", stdout);
        var calls = File.ReadAllLines(_log);
        Assert.Equal(2, calls.Length);
        Assert.StartsWith("apt-get update", calls[0]);
        Assert.Contains("install", calls[1]);
        Assert.Contains("DPkg::Lock::Timeout", calls[1]);
        Assert.EndsWith("chromium fonts-dejavu-core", calls[1]);
    }

    [Fact]
    public void Without_root_or_passwordless_sudo_it_stops_with_the_one_command_to_run()
    {
        Stub("dpkg-query", "exit 1");
        Stub("apt-get", $"echo \"apt-get $*\" >> {_log}");

        var (code, stdout, stderr) = Run(uid: 1000, sudo: false, "chromium", "python3-onnx");

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.EndsWith("sudo apt-get install -y --no-install-recommends chromium python3-onnx", line);
        Assert.False(File.Exists(_log));
    }

    [Fact]
    public void With_passwordless_sudo_it_installs_through_sudo()
    {
        Stub("dpkg-query", "exit 1");
        Stub("apt-get", $"echo \"apt-get $*\" >> {_log}");

        var (code, _, _) = Run(uid: 1000, sudo: true, "chromium");

        Assert.Equal(0, code);
        Assert.All(File.ReadAllLines(_log), l => Assert.StartsWith("sudo-n apt-get", l));
    }

    private void Stub(string name, string body)
    {
        var path = Path.Combine(_bin, name);
        File.WriteAllText(path, $"#!/bin/bash\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private (int Code, string Stdout, string Stderr) Run(int uid, bool sudo, params string[] packages)
    {
        Stub("id", $"echo {uid}");
        // 'sudo -n true' answers whether sudo needs no password; 'sudo -n CMD' runs CMD, logged with a sudo-n prefix.
        Stub("sudo", sudo ? $"shift; [ \"$1\" = true ] && exit 0; echo -n 'sudo-n ' >> {_log}; exec \"$@\"" : "exit 1");
        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Checkout.PathOf("mk/test-prerequisites.sh"));
        foreach (var p in packages)
        {
            start.ArgumentList.Add(p);
        }
        start.Environment["PATH"] = $"{_bin}:/usr/bin:/bin";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    }
}
