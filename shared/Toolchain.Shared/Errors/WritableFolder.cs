using Toolchain.Contracts;
namespace Toolchain.Shared.Errors;

/// <summary>
/// Checks an output folder before long work starts, so that a folder the results cannot go into fails at once and
/// names the folder, rather than after the first epoch with the name of a hidden temporary file.
/// </summary>
public static class WritableFolder
{
    /// <summary>
    /// Bytes the probe writes: one file-system block, so that a disk without room for even that fails here; a
    /// nearly full one still fails later, with the size that did not fit.
    /// </summary>
    public const int ProbeBytes = 4096;

    /// <summary>
    /// Creates <paramref name="directory"/> if needed and proves that files can be created, written and deleted in
    /// it, with a probe file named like every other temporary file (so a killed run's probe is cleaned up like them).
    /// Throws <see cref="ToolchainException"/> naming the folder and the reason otherwise.
    /// </summary>
    public static void Require(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (File.Exists(full))
        {
            throw new ToolchainException($"output folder '{full}' is a file, not a folder");
        }
        try
        {
            Directory.CreateDirectory(full);
            var probe = TemporaryFileName.For(Path.Combine(full, "write-check"));
            using var tracked = TemporaryPaths.Track(probe);
            try
            {
                using var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                stream.Write(new byte[ProbeBytes]);
                // A full disk may only say so when the data has to reach it.
                stream.Flush(flushToDisk: true);
            }
            finally
            {
                if (File.Exists(probe))
                {
                    File.Delete(probe);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var reason = e switch
            {
                FileNotFoundException => "files cannot be created in it",
                // .NET reports ENOTDIR as a missing folder; the file in the way is what the user has to move.
                DirectoryNotFoundException when FileOnPath(full) is { } file => $"'{file}' is a file, not a folder",
                _ => WriteFailure.Reason(e),
            };
            throw new ToolchainException($"output folder '{full}' is not writable ({reason})", e);
        }
    }

    private static string? FileOnPath(string path)
    {
        for (var p = Path.GetDirectoryName(path); p is not null; p = Path.GetDirectoryName(p))
        {
            if (File.Exists(p))
            {
                return p;
            }
            if (Directory.Exists(p))
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>
    /// Deletes the temporary files in <paramref name="directory"/> that killed processes left (see
    /// <see cref="TemporaryFileName.RemoveStale"/>) and returns a line saying how many, or null when there were none.
    /// </summary>
    public static string? RemoveStaleTemporaryFiles(string directory)
    {
        var full = Path.GetFullPath(directory);
        int removed = TemporaryFileName.RemoveStale(full);
        return removed switch
        {
            0 => null,
            1 => $"removed 1 temporary file that an interrupted run left in {full}",
            _ => $"removed {removed} temporary files that interrupted runs left in {full}",
        };
    }
}
