using Toolchain.Contracts;

namespace Toolchain.Cli.Output;

/// <summary>
/// Checks a folder a command will write to before long work starts, so that a folder the results cannot go into fails
/// at once in one line naming it (an empty path, a file in the way, <c>--out /proc/x</c>), rather than as a .NET
/// exception or after the first epoch with the name of a hidden temporary file.
/// </summary>
public static class OutputFolder
{
    /// <summary>
    /// Bytes the probe writes: one file-system block, so that a disk without room for even that fails here; a
    /// nearly full one still fails later, with the size that did not fit.
    /// </summary>
    public const int ProbeBytes = 4096;

    /// <summary>
    /// Checks <paramref name="path"/> (not empty, no NUL character, no file in the way), creates it and proves files can
    /// be written there (<see cref="RequireWritable"/>); disposing the result removes the folders this created if they
    /// are still empty (the command failed). <paramref name="label"/> names the folder as the user knows it, e.g.
    /// "--out results". Throws <see cref="ToolchainException"/> otherwise.
    /// </summary>
    public static CreatedFolders Create(string path, string label)
    {
        RequirePath(path, label);
        var created = CreatedFolders.Track(path);
        try
        {
            RequireWritable(path);
            return created;
        }
        catch
        {
            created.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates <paramref name="directory"/> if needed and proves that files can be created, written and deleted in
    /// it, with a probe file named like every other temporary file (so a killed run's probe is cleaned up like them).
    /// Throws <see cref="ToolchainException"/> naming the folder and the reason otherwise.
    /// </summary>
    public static void RequireWritable(string directory)
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
                DirectoryNotFoundException when FileInTheWay(full) is { } file => $"'{file}' is a file, not a folder",
                _ => WriteFailure.Reason(e),
            };
            throw new ToolchainException($"output folder '{full}' is not writable ({reason})", e);
        }
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

    /// <summary>
    /// Throws when <paramref name="path"/> is empty or holds a NUL character, or it or a folder above it exists as a
    /// file; creates nothing.
    /// </summary>
    private static void RequirePath(string path, string label)
    {
        if (path.Length == 0)
        {
            throw new ToolchainException($"{label.TrimEnd()} needs a path, not an empty string");
        }
        if (path.Contains('\0'))
        {
            throw new ToolchainException($"{label.Replace("\0", "", StringComparison.Ordinal)} has a NUL character in its path");
        }
        var full = Path.GetFullPath(path);
        if (FileInTheWay(full) is { } file)
        {
            throw new ToolchainException(file == full
                ? $"{label} is a file, not a folder"
                : $"{label}: {file} is a file, not a folder");
        }
    }

    /// <summary>
    /// The file that <paramref name="full"/> or a folder above it is, found walking up to the first folder that
    /// exists; null when there is none.
    /// </summary>
    private static string? FileInTheWay(string full)
    {
        for (var p = full; p is not null; p = Path.GetDirectoryName(p))
        {
            if (Directory.Exists(p))
            {
                return null;
            }
            if (File.Exists(p))
            {
                return p;
            }
        }
        return null;
    }
}
