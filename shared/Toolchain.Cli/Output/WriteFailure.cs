using System.Globalization;

namespace Toolchain.Cli.Output;

/// <summary>
/// Turns a failed file write into words for the user. The exceptions name the path the system call saw, which for
/// our writers is a hidden temporary file; the user asked for the target, so these messages name the target and its
/// folder instead, and say how much space was needed when the disk was full.
/// </summary>
public static class WriteFailure
{
    // Linux errno values, which .NET on Unix puts in IOException.HResult for errors it has no exception type for.
    private const int NoSpaceErrno = 28; // ENOSPC
    private const int QuotaErrno = 122; // EDQUOT
    private const int ReadOnlyErrno = 30; // EROFS

    // Windows reports the same conditions as HRESULTs of ERROR_DISK_FULL and ERROR_HANDLE_DISK_FULL.
    private const uint DiskFullHResult = 0x80070070;
    private const uint HandleDiskFullHResult = 0x80070027;

    /// <summary>Whether <paramref name="e"/> says the disk (or the user's quota on it) is full.</summary>
    public static bool IsOutOfSpace(Exception e) => e is IOException io && (
        io.HResult is NoSpaceErrno or QuotaErrno
        || (uint)io.HResult is DiskFullHResult or HandleDiskFullHResult
        || io.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase)
        || io.Message.Contains("Disk quota exceeded", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Why a write failed, in a few lowercase words without any path; an error it has no words for keeps its own
    /// message, with <paramref name="temporaryPath"/> replaced by <paramref name="target"/>.
    /// </summary>
    public static string Reason(Exception e, string? temporaryPath = null, string? target = null) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        DirectoryNotFoundException => "a folder on its path does not exist",
        // Creating a file where the file system allows none (/proc, /sys) fails with ENOENT, which .NET reports as not found.
        FileNotFoundException => "files cannot be created in its folder",
        _ when IsOutOfSpace(e) => e.HResult == QuotaErrno || e.Message.Contains("quota", StringComparison.OrdinalIgnoreCase)
            ? "disk quota exceeded" : "no space left on the device",
        IOException { HResult: ReadOnlyErrno } => "the file system is read-only",
        _ when temporaryPath is not null && target is not null => e.Message.Replace(temporaryPath, target, StringComparison.Ordinal),
        _ => e.Message,
    };

    /// <summary>
    /// One line for a failed write of <paramref name="target"/>, e.g.
    /// <c>writing checkpoint.ckpt (4.2 MB) into '/out/cnn' failed: no space left on the device</c>. The size, which
    /// tells how much room to make, is given only when space ran out.
    /// </summary>
    /// <param name="e">The failure.</param>
    /// <param name="target">The file the user will see, not the temporary one.</param>
    /// <param name="bytes">The size of what was being written.</param>
    /// <param name="atLeast">Whether <paramref name="bytes"/> is only what had been written when it failed.</param>
    /// <param name="temporaryPath">The hidden file actually written, whose name must not reach the user.</param>
    public static string Describe(Exception e, string target, long bytes, bool atLeast = false, string? temporaryPath = null)
    {
        var full = Path.GetFullPath(target);
        // "at least 0 bytes" says nothing: the file could not even be created.
        var size = IsOutOfSpace(e) && !(atLeast && bytes == 0) ? $" ({(atLeast ? "at least " : "")}{FormatSize(bytes)})" : "";
        return $"writing {Path.GetFileName(full)}{size} into '{Path.GetDirectoryName(full)}' failed: {Reason(e, temporaryPath, full)}";
    }

    /// <summary>A size for people: bytes below 1 kB, else kB, MB or GB (powers of 1000) with one decimal.</summary>
    public static string FormatSize(long bytes)
    {
        if (bytes < 1000)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{bytes} {(bytes == 1 ? "byte" : "bytes")}");
        }
        string[] units = ["kB", "MB", "GB", "TB"];
        double value = bytes;
        int unit = -1;
        do
        {
            value /= 1000;
            unit++;
        }
        while (value >= 999.95 && unit < units.Length - 1);
        return string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {units[unit]}");
    }
}
