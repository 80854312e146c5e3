using System.Runtime.InteropServices;

namespace Toolchain.Inference.Cli.Inputs;

/// <summary>What a path names, as far as reading it as a file is concerned.</summary>
internal enum FileKind
{
    Missing,
    Regular,
    Directory,
    CharacterDevice,
    BlockDevice,
    NamedPipe,
    Socket,
    /// <summary>The type could not be read (not Linux, or the call failed for another reason than a missing file).</summary>
    Unknown,
}

/// <summary>
/// Tells a regular file from a device, pipe or socket, which .NET does not: <see cref="FileInfo"/> reports /dev/zero
/// and a fifo as ordinary empty files, and opening a fifo blocks until someone writes to it.
/// </summary>
internal static class FileKindProbe
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

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string pathname, int flags, uint mask, byte[] statxbuf);
}
