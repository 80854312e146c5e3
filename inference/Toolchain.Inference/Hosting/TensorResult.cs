using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Hosting;

/// <summary>The raw outputs of one tensor request: its own rows of every output, and the model that made them.</summary>
/// <param name="Version">The model that answered.</param>
/// <param name="Outputs">What each output holds, as <paramref name="Specs"/> describes it.</param>
/// <param name="Specs">The outputs, in the graph's order.</param>
/// <param name="Labels">That model's class names, index = class id.</param>
/// <param name="Rows">Rows of the request (the batch axis of every output).</param>
internal sealed record TensorResult(ModelVersion Version, IReadOnlyList<byte[]> Outputs, IReadOnlyList<TensorSpec> Specs, IReadOnlyList<string> Labels, int Rows);
