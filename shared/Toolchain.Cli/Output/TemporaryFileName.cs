using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Toolchain.Cli.Output;

/// <summary>
/// The names of the hidden files that writers fill before renaming them over their target, and the clean-up of the
/// ones a killed process left behind. Naming and recognising live side by side so that they cannot drift apart: a
/// name is <c>.{target}.{pid}.{32 hex digits}[.{purpose}].tmp</c>, in the target's folder (so the rename stays on one
/// file system), and the pid says whose it is.
/// </summary>
public static partial class TemporaryFileName
{
    /// <summary>The temporary path beside <paramref name="target"/>, owned by this process.</summary>
    /// <param name="target">The file that the temporary file becomes, or stands for.</param>
    /// <param name="purpose">Lowercase letters and dashes that tell temporary files of one target apart, or null.</param>
    public static string For(string target, string? purpose = null)
    {
        if (purpose is not null && !PurposePattern().IsMatch(purpose))
        {
            throw new ArgumentException($"a purpose is lowercase letters and dashes, not '{purpose}'", nameof(purpose));
        }
        var full = Path.GetFullPath(target);
        var name = string.Create(CultureInfo.InvariantCulture,
            $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}{(purpose is null ? "" : "." + purpose)}.tmp");
        return Path.Combine(Path.GetDirectoryName(full)!, name);
    }

    /// <summary>
    /// Whether <paramref name="fileName"/> (a name, not a path) is one of ours; if so, <paramref name="target"/> is the
    /// name of the file it was written for and <paramref name="pid"/> the process that made it.
    /// </summary>
    public static bool TryParse(string fileName, out string target, out int pid)
    {
        var match = NamePattern().Match(fileName);
        if (match.Success && int.TryParse(match.Groups["pid"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out pid) && pid > 0)
        {
            target = match.Groups["target"].Value;
            return true;
        }
        target = "";
        pid = 0;
        return false;
    }

    /// <summary>
    /// Deletes the temporary files in <paramref name="directory"/> (not below it) that a process no longer running made,
    /// and returns how many it deleted. Files of a running process are kept even when that pid may have been reused by
    /// another program: deleting a live writer's file would break its write, keeping a stale one costs only disk
    /// space until a later clean-up. A file that cannot be deleted, or a folder that cannot be read, is left alone.
    /// </summary>
    public static int RemoveStale(string directory)
    {
        List<string> candidates;
        try
        {
            if (!Directory.Exists(directory))
            {
                return 0;
            }
            // Dot files count as hidden on Unix; the default enumeration would skip exactly the files wanted here.
            var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, MatchType = MatchType.Simple };
            candidates = [.. Directory.EnumerateFiles(directory, ".*.tmp", options)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
        int removed = 0;
        foreach (var path in candidates)
        {
            if (!TryParse(Path.GetFileName(path), out _, out var pid) || IsRunning(pid))
            {
                continue;
            }
            try
            {
                File.Delete(path);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A read-only folder, or someone else's file: clean-up is a courtesy, never a reason to fail.
            }
        }
        return removed;
    }

    /// <summary>Whether a process with this id exists now (on Linux, whether <c>/proc/{pid}</c> does).</summary>
    public static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId)
        {
            return true;
        }
        if (OperatingSystem.IsLinux() && Directory.Exists("/proc/self"))
        {
            // Cheaper than Process.GetProcessById, which reads the process's status files to build its object.
            return Directory.Exists(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}"));
        }
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    [GeneratedRegex("^[a-z]+(-[a-z]+)*$")]
    private static partial Regex PurposePattern();

    // Mirrors the name built in For: ".{target}.{pid}.{guid:N}[.{purpose}].tmp".
    [GeneratedRegex(@"^\.(?<target>.+)\.(?<pid>[0-9]{1,10})\.[0-9a-f]{32}(\.[a-z]+(-[a-z]+)*)?\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
