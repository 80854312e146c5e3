namespace Toolchain.Inference.Hosting;

/// <summary>Hands out the current model for the length of one request (the batcher's view of a model host).</summary>
internal interface ILeaseSource
{
    /// <summary>
    /// Leases the current model. The model stays usable (it is not disposed, even if a newer one replaces it) until
    /// the lease is disposed. Throws <see cref="ModelNotReadyException"/> when no model is loaded.
    /// </summary>
    ModelLease Acquire();
}
