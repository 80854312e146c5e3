namespace Toolchain.Inference.Service.Metrics;

/// <summary>A lock-free histogram with fixed upper bounds (plus +Inf), as Prometheus histograms are.</summary>
internal sealed class Histogram(IReadOnlyList<double> bounds)
{
    private readonly long[] _counts = new long[bounds.Count + 1];
    private long _sumBits;

    public IReadOnlyList<double> Bounds { get; } = bounds;

    public void Observe(double value)
    {
        var bucket = 0;
        while (bucket < Bounds.Count && value > Bounds[bucket])
        {
            bucket++;
        }
        Interlocked.Increment(ref _counts[bucket]);
        long seen, next;
        do
        {
            seen = Volatile.Read(ref _sumBits);
            next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + value);
        }
        while (Interlocked.CompareExchange(ref _sumBits, next, seen) != seen);
    }

    /// <summary>Per-bucket (not cumulative) counts, the sum and the count.</summary>
    public (long[] Buckets, double Sum, long Count) Snapshot()
    {
        var buckets = new long[_counts.Length];
        for (var i = 0; i < buckets.Length; i++)
        {
            buckets[i] = Volatile.Read(ref _counts[i]);
        }
        return (buckets, BitConverter.Int64BitsToDouble(Volatile.Read(ref _sumBits)), buckets.Sum());
    }
}
