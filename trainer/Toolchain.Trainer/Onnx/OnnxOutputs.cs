using Toolchain.Contracts;
using Toolchain.Trainer.Models;
using Toolchain.Trainer.Models.Layers;

namespace Toolchain.Trainer.Onnx;

/// <summary>
/// The graph outputs a spec calls for: a multi-class net exposes <c>logits</c> and, through an added Softmax,
/// <c>probabilities</c>; a single-output net ending in sigmoid exposes <c>probability</c>; a regression exposes
/// <c>value</c>, one number per target in the targets' units.
/// </summary>
internal sealed record OnnxOutputs(ModelTask Task, string OutputName, string? ProbabilitiesName, long Width)
{
    public const string Logits = "logits";
    public const string Probabilities = "probabilities";
    public const string Probability = "probability";
    public const string Value = "value";

    public bool IsMulticlass => ProbabilitiesName is not null;

    public static OnnxOutputs For(IReadOnlyList<LayerSpec> layers, IReadOnlyList<long[]> shapes, IReadOnlyList<long> inputShape, bool regression = false)
    {
        var last = shapes.Count > 0 ? shapes[^1] : inputShape.ToArray();
        if (last.Length != 1)
        {
            throw new ToolchainException(
                $"export: the model's output must be flat but is {ArchitectureSpec.FormatShape(last)}; end the architecture with 'flatten linear(N)'");
        }
        long width = last[0];
        if (regression)
        {
            return new OnnxOutputs(ModelTask.Regression, Value, null, width);
        }
        if (width > 1)
        {
            return new OnnxOutputs(ModelTask.Multiclass, Logits, Probabilities, width);
        }
        var lastActive = layers.LastOrDefault(l => !l.IsIdentityAtInference);
        if (lastActive is not SigmoidLayer)
        {
            throw new ToolchainException(
                "export: a model with a single output must end with 'sigmoid' so that its output is a probability");
        }
        return new OnnxOutputs(ModelTask.Binary, Probability, null, width);
    }
}
