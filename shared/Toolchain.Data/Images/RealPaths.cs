using System.Runtime.InteropServices;

namespace Toolchain.Data.Images;

/// <summary>
/// What .NET does not say about a path reached through symbolic links: where it really is (every link in every part
/// resolved, as realpath(3)), and whether that is a kernel's pseudo file system such as /proc or /sys, whose trees link
/// back to / and whose files may block when read. Image folders follow links with them without looping or wandering.
/// </summary>
public static class RealPaths
{
    // statfs(2) f_type values of the pseudo file systems; devtmpfs reports tmpfs's, so /dev is recognised by its path.
    private static readonly Dictionary<long, string> PseudoFileSystems = new()
    {
        [0x9fa0] = "proc",
        [0x62656572] = "sysfs",
        [0x1cd1] = "devpts",
        [0x64626720] = "debugfs",
        [0x74726163] = "tracefs",
        [0x73636673] = "securityfs",
        [0x27e0eb] = "cgroup",
        [0x63677270] = "cgroup2",
        [0xcafe4a11] = "bpf",
        [0x62656570] = "configfs",
        [0x65735543] = "fusectl",
        [0x6165676C] = "pstore",
        [0xde5e81e4] = "efivarfs",
    };

    /// <summary>The absolute path of <paramref name="path"/> with every symbolic link resolved, or null when it does not resolve (a broken or looping link).</summary>
    public static string? Of(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        }
        IntPtr resolved;
        try
        {
            resolved = RealPath(path, IntPtr.Zero);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        }
        if (resolved == IntPtr.Zero)
        {
            return null;
        }
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

    /// <summary>
    /// What is special about the real folder <paramref name="realPath"/>, or null for an ordinary one: it is on a pseudo
    /// file system (proc, sysfs, …) or under /dev.
    /// </summary>
    public static string? SpecialFileSystem(string realPath)
    {
        if (IsWithin(realPath, "/dev"))
        {
            return "is under /dev, where devices are, not images";
        }
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        var buffer = new byte[256]; // struct statfs is 120 bytes on 64-bit Linux; f_type is its first field
        try
        {
            if (StatFs(realPath, buffer) != 0)
            {
                return null;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
        return PseudoFileSystems.TryGetValue(BitConverter.ToInt64(buffer, 0), out var name)
            ? $"is on a {name} file system (made up by the kernel, not a folder of images)"
            : null;
    }

    /// <summary>Whether the real path <paramref name="path"/> is <paramref name="folder"/> or inside it.</summary>
    public static bool IsWithin(string path, string folder) =>
        folder == "/" || path == folder || (path.StartsWith(folder, StringComparison.Ordinal) && path.Length > folder.Length && path[folder.Length] == '/');

    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    private static extern IntPtr RealPath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void Free(IntPtr pointer);

    [DllImport("libc", EntryPoint = "statfs", SetLastError = true)]
    private static extern int StatFs([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer);
}
