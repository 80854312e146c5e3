using System.Diagnostics;
using Toolchain.Contracts;

namespace Toolchain.Imaging.Tests;

public sealed class FileKindProbeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("file-kind-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string NamedPipe(string name)
    {
        var path = Path.Combine(_dir, name);
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    private string Text(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public void File_kinds_are_told_apart_where_file_info_sees_only_files()
    {
        Assert.Equal(FileKind.Regular, FileKindProbe.Of(Text("a.csv", "1,2\n")));
        Assert.Equal(FileKind.Directory, FileKindProbe.Of(_dir));
        Assert.Equal(FileKind.CharacterDevice, FileKindProbe.Of("/dev/zero"));
        Assert.Equal(FileKind.NamedPipe, FileKindProbe.Of(NamedPipe("pipe")));
        Assert.Equal(FileKind.Missing, FileKindProbe.Of(Path.Combine(_dir, "nope.csv")));
        Assert.Equal(FileKind.Missing, FileKindProbe.Of(Path.Combine(Text("f", ""), "under-a-file")));
    }

    [Fact]
    public void Only_devices_pipes_and_sockets_have_a_not_regular_problem()
    {
        Assert.Null(FileKindProbe.NotRegularProblem(Text("empty", "")));
        Assert.Null(FileKindProbe.NotRegularProblem(_dir));
        Assert.Null(FileKindProbe.NotRegularProblem(Path.Combine(_dir, "nope")));
        Assert.Contains("character device", FileKindProbe.NotRegularProblem("/dev/zero"));
        Assert.Contains("named pipe", FileKindProbe.NotRegularProblem(NamedPipe("p")));
    }
}
