using System.Globalization;
using Toolchain.Trainer.Models.Layers;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using Sequential = TorchSharp.Modules.Sequential;

namespace Toolchain.Trainer.Models;

/// <summary>
/// Builds the TorchSharp network an <see cref="ArchitectureSpec"/> describes. Child <c>i</c> of the returned
/// <see cref="Sequential"/> is named <c>i</c> and is the module of <c>spec.Layers[i]</c>, one to one (dropout included),
/// so the ONNX exporter can walk the spec and the module side by side.
/// </summary>
public static class ModelBuilder
{
    /// <summary>Builds the network for inputs of <paramref name="inputShape"/> (batch axis excluded), in float32 on the CPU.</summary>
    public static Sequential Build(ArchitectureSpec spec, IReadOnlyList<long> inputShape)
    {
        var inputs = spec.InferInputShapes(inputShape);
        var modules = new List<(string, Module<Tensor, Tensor>)>(spec.Layers.Count);
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            modules.Add((i.ToString(CultureInfo.InvariantCulture), spec.Layers[i].Build(inputs[i])));
        }
        ConvolutionGradients.Verify(ConvolutionsNeedingInputGradients(spec, inputShape));
        return Sequential(modules);
    }

    /// <summary>
    /// The convolutions whose input gradient training computes: those after the first layer with parameters (the
    /// gradient of the network's own input is never needed).
    /// </summary>
    public static IEnumerable<ConvGeometry> ConvolutionsNeedingInputGradients(ArchitectureSpec spec, IReadOnlyList<long> inputShape)
    {
        var inputs = spec.InferInputShapes(inputShape);
        bool trainableBefore = false;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            if (spec.Layers[i] is ConvLayer conv && trainableBefore)
            {
                yield return conv.Geometry(inputs[i]);
            }
            trainableBefore |= spec.Layers[i].HasParameters;
        }
    }

    /// <summary>
    /// Trainable parameters of <paramref name="spec"/> on <paramref name="inputShape"/> (as a double: a damaged shape can
    /// make it exceed a long). Buffers are left out.
    /// </summary>
    public static double ParameterCount(ArchitectureSpec spec, IReadOnlyList<long> inputShape)
    {
        var inputs = spec.InferInputShapes(inputShape);
        return spec.Layers.Select((l, i) => l.ParameterCount(inputs[i])).Sum();
    }
}
