using Toolchain.Contracts;

namespace Toolchain.Inference.Batching;

/// <summary>
/// The batching queue already holds <see cref="BatchingOptions.QueueCapacity"/> requests; the request was not
/// admitted and nothing ran. Back off and retry (a web service answers 429).
/// </summary>
public sealed class BatchQueueFullException : ToolchainException
{
    /// <summary>Creates the error for a queue of <paramref name="capacity"/> requests.</summary>
    public BatchQueueFullException(int capacity)
        : base($"the batching queue is full ({capacity} requests waiting or running); try again later") => Capacity = capacity;

    /// <summary>The queue's capacity.</summary>
    public int Capacity { get; }
}
