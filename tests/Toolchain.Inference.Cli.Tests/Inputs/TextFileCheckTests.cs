using System.Diagnostics;
using Toolchain.Contracts;
using Toolchain.Inference.Cli.Inputs;

namespace Toolchain.Inference.Cli.Tests.Inputs;

public sealed class TextFileCheckTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private static string Problem(string path)
    {
        var e = Assert.Throws<InvalidInputFileException>(() => TextFileCheck.Require(path, "feature file"));
        Assert.Equal(path, e.FilePath);
        Assert.DoesNotContain('\n', e.Message);
        return e.Problem;
    }

    /// <summary>The problem holds each of <paramref name="facts"/> (the kind, the byte, the offset); the wording is free.</summary>
    private static void Names(string problem, params string[] facts) => Assert.All(facts, fact => Assert.Contains(fact, problem));

    /// <summary>Makes a named pipe with mkfifo(1); nobody ever writes to it, so opening it to read would block.</summary>
    internal static string NamedPipe(TestFiles files, string name)
    {
        var path = files.PathOf(name);
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    [Fact]
    public void Text_including_utf8_and_an_empty_file_passes()
    {
        TextFileCheck.Require(_files.Text("a.csv", "# größe\n1,2\n"), "feature file");
        TextFileCheck.Require(_files.Text("empty.csv", ""), "feature file");
    }

    [Fact]
    public void A_multibyte_character_cut_at_the_end_of_the_sniffed_kilobyte_is_not_an_error()
    {
        var text = new string('1', TextFileCheck.SniffBytes - 1) + "é\n"; // é is 2 bytes: the first KB ends inside it

        TextFileCheck.Require(_files.Text("cut.csv", text), "feature file");
    }

    [Fact]
    public void A_nul_byte_in_the_first_kilobyte_means_not_text()
    {
        Names(Problem(_files.Bytes("b.csv", [(byte)'1', (byte)',', (byte)'2', (byte)'\n', 0, 1])), "not a text file", "NUL", "offset 4");
    }

    [Fact]
    public void Invalid_utf8_in_the_first_kilobyte_means_not_text()
    {
        Names(Problem(_files.Bytes("b.csv", [(byte)'1', (byte)',', 0xFF, (byte)'\n'])), "UTF-8", "0xFF", "offset 2");
    }

    [Fact]
    public void Devices_pipes_directories_and_missing_files_are_refused_by_kind()
    {
        Names(Problem("/dev/zero"), "character device");
        // A pipe's refusal also says how to read a stream: through '-'.
        Names(Problem(NamedPipe(_files, "pipe")), "named pipe", "'-'");
        Names(Problem(_files.Root), "directory", "feature file");
        Names(Problem(_files.PathOf("nope.csv")), "no such file");
    }
}
