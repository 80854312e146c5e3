namespace Toolchain.Inference.Batching;

/// <summary>
/// Dynamic batching settings, named after Triton's <c>max_batch_size</c> and <c>max_queue_delay_microseconds</c>.
/// </summary>
public sealed class BatchingOptions
{
    /// <summary>Whether requests are batched at all; when off each request runs the model by itself. On by default.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The most rows run together in one inference, which is also the most rows one tensor request may carry
    /// (<see cref="Hosting.ModelLease.MaxRows"/>), batching on or off. 64 by default.
    /// </summary>
    public int MaxBatchSize { get; set; } = BatchingDefaults.MaxBatchSize;

    /// <summary>
    /// How long the oldest waiting request may be held back while the batch fills up, in microseconds. 0 runs whatever
    /// has arrived as soon as the model is free, which under load still batches everything that queued up during the
    /// previous run. 0 by default.
    /// </summary>
    public int MaxQueueDelayMicroseconds { get; set; }

    /// <summary>
    /// How many batches may run at once, as Triton's instance count: each instance takes its own batch off the shared
    /// queue, so a batch can start while another is still running, on another core. 2 by default: with one, the
    /// cores the model may use sit idle while the next batch is gathered and the last one's answers go out (measured on
    /// 2 cores with the CNN behind the service: 9,350 req/s with 1, 10,100 with 2).
    /// </summary>
    public int Instances { get; set; } = 2;

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
        ArgumentOutOfRangeException.ThrowIfLessThan(Instances, 1, nameof(Instances));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Instances, 256, nameof(Instances));
    }
}

/// <summary>Defaults shared by <see cref="BatchingOptions"/> and the places that need them without an options object.</summary>
internal static class BatchingDefaults
{
    /// <summary>The default <see cref="BatchingOptions.MaxBatchSize"/>.</summary>
    public const int MaxBatchSize = 64;
}
