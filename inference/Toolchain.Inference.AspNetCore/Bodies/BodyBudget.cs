namespace Toolchain.Inference.AspNetCore.Bodies;

/// <summary>
/// How many bytes of request bodies the whole process holds at once. Every body is bounded by
/// <see cref="BodyLimits.MaxBodyBytes"/>, but many clients sending that much at the same time would still take the
/// memory that other clients' requests need (under a container's limit, their 5xx or the process's death); past this
/// budget a large body is refused with 429 instead. Bodies up to <see cref="FreeBytes"/> never count: they are what
/// ordinary requests send, and what they hold together is bounded by the connections the server keeps.
/// </summary>
public sealed class BodyBudget
{
    /// <summary>Bodies this small are always admitted.</summary>
    public const int FreeBytes = 64 * 1024;

    private long _available;

    /// <summary>A budget of <paramref name="bytes"/>.</summary>
    public BodyBudget(long bytes)
    {
        Capacity = bytes;
        _available = bytes;
    }

    /// <summary>The budget in bytes.</summary>
    public long Capacity { get; }

    /// <summary>Bytes not held by any body now.</summary>
    public long Available => Interlocked.Read(ref _available);

    /// <summary>
    /// The default: a quarter of the memory the garbage collector may use (the container's limit, or
    /// <c>DOTNET_GCHeapHardLimit</c>), between 32 MB and 256 MB.
    /// </summary>
    public static BodyBudget ForThisProcess()
    {
        var heap = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return new BodyBudget(Math.Clamp(heap / 4, 32L * 1024 * 1024, 256L * 1024 * 1024));
    }

    /// <summary>Takes <paramref name="bytes"/> from the budget if it has them; false (taking nothing) when it does not.</summary>
    internal bool TryTake(long bytes)
    {
        if (bytes <= 0)
        {
            return true;
        }
        var available = Interlocked.Read(ref _available);
        while (available >= bytes)
        {
            var seen = Interlocked.CompareExchange(ref _available, available - bytes, available);
            if (seen == available)
            {
                return true;
            }
            available = seen;
        }
        return false;
    }

    /// <summary>Gives back what <see cref="TryTake"/> took.</summary>
    internal void Give(long bytes)
    {
        if (bytes > 0)
        {
            Interlocked.Add(ref _available, bytes);
        }
    }
}
