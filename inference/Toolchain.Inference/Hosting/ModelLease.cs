using Toolchain.Contracts;
using Toolchain.Inference.Imaging;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Hosting;

/// <summary>
/// The right to use one loaded model until disposed. Disposing more than once is harmless. Not for sharing between
/// requests: take one per request.
/// </summary>
internal sealed class ModelLease : IDisposable
{
    private LoadedModel? _loaded;

    internal ModelLease(LoadedModel loaded)
    {
        _loaded = loaded;
        Model = loaded.Model;
        Images = loaded.Images;
        Version = loaded.Version;
    }

    /// <summary>The leased model.</summary>
    public OnnxModel Model { get; }

    /// <summary>The model with its image preprocessing, or null when it takes no images (see <see cref="LoadedModel.IsImageModel"/>).</summary>
    public ImageClassifier? Images { get; }

    /// <summary>Which model this is.</summary>
    public ModelVersion Version { get; }

    /// <summary><see cref="Images"/>, or an error saying the model cannot classify images.</summary>
    public ImageClassifier RequireImages() => Images ?? throw new ToolchainException(LoadedModel.NotAnImageModel(Model));

    /// <inheritdoc />
    public void Dispose() => Interlocked.Exchange(ref _loaded, null)?.Release();
}
