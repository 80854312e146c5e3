using System.Buffers;
using System.Text.Unicode;
using Toolchain.Contracts;
using Toolchain.Imaging;

namespace Toolchain.Inference.Cli.Inputs;

/// <summary>
/// Refuses, with one line, a path that cannot be a text file: missing, a directory, a device or pipe (which would be
/// read forever or block), or a file whose first KB holds NUL bytes or invalid UTF-8 (an image, an archive, random
/// bytes), before any of it is parsed row by row. A UTF-16 or UTF-32 file is text when it starts with its byte-order mark.
/// </summary>
internal static class TextFileCheck
{
    /// <summary>How much of the file is looked at.</summary>
    public const int SniffBytes = 1024;

    public static void Require(string path, string what)
    {
        var problem = FileKindProbe.Of(path) switch
        {
            FileKind.Missing => "no such file",
            FileKind.Directory => $"is a directory, not a {what}",
            FileKind.NamedPipe => "is a named pipe, not a regular file (pipe data into '-' to read standard input)",
            _ => FileKindProbe.NotRegularProblem(path),
        };
        if (problem is not null)
        {
            throw new InvalidInputFileException(path, problem);
        }
        byte[] head;
        try
        {
            head = ReadHead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputFileException(path, $"cannot be read: {e.Message}", e);
        }
        if (head is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..])
        {
            return; // UTF-16 or UTF-32 after its byte-order mark, which the line reader decodes (and checks line by line)
        }
        if (Array.IndexOf(head, (byte)0) is var nul and >= 0)
        {
            throw new InvalidInputFileException(path, $"is not a text file (NUL byte at offset {nul})");
        }
        // A multi-byte character cut at the end of the sniffed bytes is not an error: only what is certainly invalid is.
        var chars = new char[head.Length];
        var status = Utf8.ToUtf16(head, chars, out var read, out _, replaceInvalidSequences: false, isFinalBlock: head.Length < SniffBytes);
        if (status == OperationStatus.InvalidData)
        {
            throw new InvalidInputFileException(path, $"is not UTF-8 text (byte 0x{head[read]:X2} at offset {read})");
        }
    }

    private static byte[] ReadHead(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var buffer = new byte[SniffBytes];
        var total = 0;
        while (total < buffer.Length && stream.Read(buffer, total, buffer.Length - total) is var n and > 0)
        {
            total += n;
        }
        return buffer[..total];
    }
}
