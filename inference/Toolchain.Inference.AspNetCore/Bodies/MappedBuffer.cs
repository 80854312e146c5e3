using System.Buffers;
using System.Runtime.InteropServices;

namespace Toolchain.Inference.AspNetCore.Bodies;

/// <summary>
/// Memory for one large request body, mapped from the operating system (anonymous mmap on Linux) and unmapped the
/// moment it is disposed. A managed array of the same size would be a large-object-heap array that the collector frees
/// only at its next full collection, which an idle service never runs: 96 refused 5 MB image bodies left resident
/// memory 200 MB up for good. Mapped memory is resident only while a request holds it.
/// </summary>
internal sealed unsafe partial class MappedBuffer : MemoryManager<byte>
{
    private const int ProtRead = 1;
    private const int ProtWrite = 2;
    private const int MapPrivate = 0x02;
    private const int MapAnonymous = 0x20;

    private nint _address;

    private MappedBuffer(nint address, int length)
    {
        _address = address;
        Length = length;
    }

    /// <summary>Whether this platform maps buffers (Linux); elsewhere large bodies are managed arrays.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux();

    public int Length { get; }

    /// <inheritdoc />
    public override Span<byte> GetSpan() => _address == 0 ? throw new ObjectDisposedException(nameof(MappedBuffer)) : new((void*)_address, Length);

    /// <inheritdoc />
    public override MemoryHandle Pin(int elementIndex = 0) => new((byte*)_address + elementIndex);

    /// <inheritdoc />
    public override void Unpin()
    {
        // Mapped memory never moves.
    }

    /// <summary>Maps <paramref name="length"/> bytes of zeroed memory; throws <see cref="OutOfMemoryException"/> when the system has none.</summary>
    public static MappedBuffer Allocate(int length)
    {
        var address = Map(0, (nuint)length, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        return address == -1 ? throw new OutOfMemoryException($"mmap of {length} bytes failed (errno {Marshal.GetLastPInvokeError()})") : new MappedBuffer(address, length);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        var address = Interlocked.Exchange(ref _address, 0);
        if (address != 0)
        {
            _ = Unmap(address, (nuint)Length);
        }
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Map(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int Unmap(nint address, nuint length);
}
