namespace Toolchain.Inference.Batching;

/// <summary>
/// Dynamic batching settings, named after Triton's <c>max_batch_size</c> and <c>max_queue_delay_microseconds</c>.
/// </summary>
public sealed class BatchingOptions
{
    /// <summary>Whether requests are batched at all; when off each request runs the model by itself. On by default.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The most requests run together in one inference. 64 by default.</summary>
    public int MaxBatchSize { get; set; } = 64;

    /// <summary>
    /// How long the oldest waiting request may be held back while the batch fills up, in microseconds. 0 runs whatever
    /// has arrived as soon as the model is free, which under load still batches everything that queued up during the
    /// previous run. 0 by default.
    /// </summary>
    public int MaxQueueDelayMicroseconds { get; set; }

    /// <summary>
    /// The most requests admitted and not yet answered (waiting or running); one more is refused with
    /// <see cref="BatchQueueFullException"/>. 1024 by default.
    /// </summary>
    public int QueueCapacity { get; set; } = 1024;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBatchSize, 1, nameof(MaxBatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxQueueDelayMicroseconds, nameof(MaxQueueDelayMicroseconds));
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueCapacity, 1, nameof(QueueCapacity));
    }
}
