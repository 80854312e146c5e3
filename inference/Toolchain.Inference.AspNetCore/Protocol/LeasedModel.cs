using Toolchain.Inference.Hosting;

namespace Toolchain.Inference.AspNetCore.Protocol;

/// <summary>
/// One request's hold on a served model: its protocol name, its classifier, and the lease of the version the request
/// is read against, checked against and run on. Dispose it once the request is answered.
/// </summary>
internal sealed class LeasedModel(string name, OnnxClassifier classifier, ModelLease lease) : IDisposable
{
    /// <summary>The name clients use in <c>/v2/models/{name}</c>.</summary>
    public string Name { get; } = name;

    public OnnxClassifier Classifier { get; } = classifier;

    public ModelLease Lease { get; } = lease;

    /// <summary>What one request to this model may hold, to read its body against.</summary>
    public RequestCapacity Capacity => new(Name, Lease.MaxRows, Lease.Model.InputSpec.RowElements);

    public void Dispose() => Lease.Dispose();
}
