using Toolchain.Contracts;
using Toolchain.Inference.Imaging;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Hosting;

/// <summary>
/// The right to use one loaded model, one version of it, until disposed (<see cref="OnnxClassifier.AcquireModel"/>):
/// a hot reload meanwhile makes a newer model current for new leases, but this one's model is neither replaced nor
/// disposed under it. Take one per request, hold it while the request is checked against the model and run on it
/// (<see cref="OnnxClassifier.InferAsync"/>), then dispose it; so the request is checked and run against the same
/// model. Disposing more than once is harmless. Not for sharing between requests.
/// </summary>
public sealed class ModelLease : IDisposable
{
    private LoadedModel? _loaded;

    internal ModelLease(LoadedModel loaded)
    {
        _loaded = loaded;
        Model = loaded.Model;
        Images = loaded.Images;
        Version = loaded.Version;
        MaxRows = loaded.MaxRows;
        Owner = loaded.Owner;
    }

    /// <summary>The host that published the model.</summary>
    internal object? Owner { get; }

    /// <summary>The leased model: its card (<see cref="OnnxModel.Info"/>) and tensors (<see cref="OnnxModel.InputSpec"/>, <see cref="OnnxModel.OutputSpecs"/>).</summary>
    public OnnxModel Model { get; }

    /// <summary>Which model this is.</summary>
    public ModelVersion Version { get; }

    /// <summary>
    /// The most rows one tensor request may carry on this model: the graph's fixed batch size when it has one, else
    /// the classifier's <see cref="Batching.BatchingOptions.MaxBatchSize"/>.
    /// </summary>
    public int MaxRows { get; }

    /// <summary>The model with its image preprocessing, or null when it takes no images (see <see cref="LoadedModel.IsImageModel"/>).</summary>
    internal ImageClassifier? Images { get; }

    /// <summary><see cref="Images"/>, or an error saying the model cannot classify images.</summary>
    internal ImageClassifier RequireImages() => Images ?? throw new ToolchainException(LoadedModel.NotAnImageModel(Model));

    /// <summary>
    /// A second lease of the same model (not of whichever is current now), for a queue that may outlive this one: a
    /// caller who gives up disposes its lease while the queued request still runs.
    /// </summary>
    internal ModelLease Share()
    {
        var loaded = _loaded ?? throw new ObjectDisposedException(nameof(ModelLease));
        return loaded.TryAddReference() ? new ModelLease(loaded) : throw new ObjectDisposedException(nameof(ModelLease));
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> once the lease has been disposed.</summary>
    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _loaded) is null, this);

    /// <inheritdoc />
    public void Dispose() => Interlocked.Exchange(ref _loaded, null)?.Release();
}
