using Toolchain.Contracts;
using Toolchain.Shared.Errors;

namespace Toolchain.Inference.Cli.Output;

/// <summary>
/// Checks and creates a folder a command will write to, so that an empty path, a file in the way or a folder that
/// cannot be created (<c>--out /proc/x</c>) is said in one line, not as a .NET exception, and so that a failed command
/// leaves no empty folder behind.
/// </summary>
internal static class OutputFolder
{
    /// <summary>
    /// Throws when <paramref name="path"/> is empty or holds a NUL character, or it or a folder above it exists as a
    /// file. <paramref name="label"/> names the folder as the user knows it, e.g. "--out results".
    /// </summary>
    public static void Require(string path, string label)
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
        for (var p = full; p is not null; p = Path.GetDirectoryName(p))
        {
            if (Directory.Exists(p))
            {
                return;
            }
            if (File.Exists(p))
            {
                throw new ToolchainException(p == full
                    ? $"{label} is a file, not a folder"
                    : $"{label}: {p} is a file, not a folder");
            }
        }
    }

    /// <summary>
    /// Checks <paramref name="path"/> as <see cref="Require"/> does, creates it and proves files can be written there;
    /// disposing the result removes the folders this created if they are still empty (the command failed).
    /// </summary>
    public static CreatedFolders Create(string path, string label)
    {
        Require(path, label);
        var created = CreatedFolders.Track(path);
        try
        {
            WritableFolder.Require(path);
            return created;
        }
        catch
        {
            created.Dispose();
            throw;
        }
    }
}
