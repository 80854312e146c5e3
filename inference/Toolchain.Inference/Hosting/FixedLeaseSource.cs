using System.Security.Cryptography;
using Toolchain.Contracts;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Hosting;

/// <summary>An <see cref="ILeaseSource"/> that always serves one model, for callers that do not need hot reload.</summary>
internal sealed class FixedLeaseSource : ILeaseSource, IDisposable
{
    private readonly LoadedModel _loaded;
    private int _disposed;

    /// <summary>
    /// Serves <paramref name="model"/>. <paramref name="sha256"/> names it in results (default: a hash of its
    /// description). With <paramref name="ownsModel"/> the model is disposed once this source and every lease are.
    /// </summary>
    public FixedLeaseSource(OnnxModel model, string? sha256 = null, bool ownsModel = false, PreprocessingMode? preprocessingMode = null)
    {
        sha256 ??= Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', model.Info.Inputs.Concat(model.Info.Outputs)))));
        _loaded = new LoadedModel(model, new ModelVersion { Sha256 = sha256, LoadedAt = DateTimeOffset.UtcNow, Generation = 1 }, preprocessingMode, ownsModel);
    }

    /// <inheritdoc />
    public ModelLease Acquire() => _loaded.TryAddReference()
        ? new ModelLease(_loaded)
        : throw new ObjectDisposedException(nameof(FixedLeaseSource));

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _loaded.Release();
        }
    }
}
