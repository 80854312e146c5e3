using Toolchain.Contracts;
namespace Toolchain.Cli.Output;

/// <summary>
/// Writes files so that readers see either the old content or the complete new one, never a half-written file:
/// the content goes to a temporary file beside the target, which is renamed over it only after it is complete.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="path"/> through <paramref name="write"/>; on any failure no file is left behind. A failed
    /// write is a <see cref="ToolchainException"/> that names <paramref name="path"/> and its folder (never the
    /// temporary file) and, when the disk is full, the size: <paramref name="length"/> if given, else what had been
    /// written when it failed.
    /// </summary>
    public static void Write(string path, Action<Stream> write, long? length = null)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        var tmp = TemporaryFileName.For(full);
        long written = 0;
        try
        {
            Directory.CreateDirectory(dir);
            using var tracked = TemporaryPaths.Track(tmp);
            try
            {
                using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    try
                    {
                        write(stream);
                        stream.Flush(flushToDisk: true);
                    }
                    finally
                    {
                        // Includes buffered bytes: the amount the write needed room for, not what reached the disk.
                        written = stream.CanSeek ? stream.Position : 0;
                    }
                }
                File.Move(tmp, full, overwrite: true);
            }
            finally
            {
                if (File.Exists(tmp))
                {
                    File.Delete(tmp);
                }
            }
        }
        catch (Exception e) when ((e is IOException or UnauthorizedAccessException) && !TemporaryPaths.Ending)
        {
            // (While a signal ends the process, the failure is the signal deleting the file; the CLIs report that.)
            throw new ToolchainException(WriteFailure.Describe(e, full, length ?? written, atLeast: length is null, tmp), e);
        }
    }

    /// <summary>Writes all <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy), copy.LongLength);
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));
}
