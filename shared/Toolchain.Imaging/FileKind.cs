using System.Runtime.InteropServices;

namespace Toolchain.Imaging;

/// <summary>What a path names, as far as reading it as a file is concerned.</summary>
public enum FileKind
{
    /// <summary>Nothing at that path.</summary>
    Missing,
    /// <summary>A regular file.</summary>
    Regular,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A character device such as /dev/zero: reading it may never end.</summary>
    CharacterDevice,
    /// <summary>A block device.</summary>
    BlockDevice,
    /// <summary>A named pipe (including bash's process substitution): opening it blocks, and it can be read only once.</summary>
    NamedPipe,
    /// <summary>A Unix socket.</summary>
    Socket,
    /// <summary>The type could not be read (not Linux, or the call failed for another reason than a missing file).</summary>
    Unknown,
}

/// <summary>
/// Tells a regular file from a device, pipe or socket, which .NET does not: <see cref="FileInfo"/> reports /dev/zero
/// and a fifo as ordinary empty files, and opening a fifo blocks until someone writes to it.
/// </summary>
/// <remarks>
/// It lives in the lowest assembly that reads users' files (image files here) and that every reader references: the
/// inference library's model files, the trainer's datasets and checkpoints, infer's input lists. The model contract
/// (Toolchain.Contracts) stays free of operating-system calls.
/// </remarks>
public static class FileKindProbe
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28; // struct statx: stx_mode (u16) after mask, blksize, attributes, nlink, uid, gid
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;

    /// <summary>The kind of <paramref name="path"/>, following symbolic links.</summary>
    public static FileKind Of(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return Directory.Exists(path) ? FileKind.Directory : File.Exists(path) ? FileKind.Unknown : FileKind.Missing;
        }
        var buffer = new byte[256]; // sizeof(struct statx) is 256 on every Linux architecture
        int rc;
        try
        {
            rc = Statx(AtFdCwd, path, 0, StatxType, buffer);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return Directory.Exists(path) ? FileKind.Directory : File.Exists(path) ? FileKind.Unknown : FileKind.Missing;
        }
        if (rc != 0)
        {
            return Marshal.GetLastPInvokeError() is ENOENT or ENOTDIR ? FileKind.Missing : FileKind.Unknown;
        }
        var mode = BitConverter.ToUInt16(buffer, ModeOffset);
        return (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0x1000 => FileKind.NamedPipe,
            0xC000 => FileKind.Socket,
            _ => FileKind.Unknown,
        };
    }

    /// <summary>
    /// Why <paramref name="path"/> cannot be read as a file when it is a device, pipe or socket; null for a regular file,
    /// a directory or a missing path, which callers word in their own terms.
    /// </summary>
    public static string? NotRegularProblem(string path) => Of(path) switch
    {
        FileKind.CharacterDevice => "is a character device, not a regular file",
        FileKind.BlockDevice => "is a block device, not a regular file",
        FileKind.NamedPipe => "is a named pipe, not a regular file",
        FileKind.Socket => "is a socket, not a regular file",
        _ => null,
    };

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string pathname, int flags, uint mask, byte[] statxbuf);
}
