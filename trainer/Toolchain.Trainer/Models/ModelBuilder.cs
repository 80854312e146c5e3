using Toolchain.Trainer.Models;
using TorchSharp;
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
        var widths = spec.InferInputWidths(inputShape);
        var shapes = spec.InferShapes(inputShape);
        var modules = new List<(string, Module<Tensor, Tensor>)>(spec.Layers.Count);
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var l = spec.Layers[i];
            long inWidth = widths[i];
            Module<Tensor, Tensor> m = l.Kind switch
            {
                LayerKind.Linear => Linear(inWidth, l.OutFeatures),
                LayerKind.Conv => Conv2d(inWidth, l.OutFeatures, l.Kernel, stride: l.Stride, padding: l.Padding, dilation: l.Dilation, groups: l.Groups),
                LayerKind.MaxPool => MaxPool2d(l.Kernel, l.Stride, l.Padding),
                LayerKind.AvgPool => AvgPool2d(l.Kernel, l.Stride, l.Padding),
                LayerKind.Relu => ReLU(),
                LayerKind.Sigmoid => Sigmoid(),
                LayerKind.Tanh => Tanh(),
                LayerKind.LeakyRelu => LeakyReLU(l.Slope),
                LayerKind.Dropout => Dropout(l.P),
                LayerKind.Flatten => Flatten(),
                LayerKind.BatchNorm => (i == 0 ? inputShape.Count : shapes[i - 1].Length) == 1
                    ? BatchNorm1d(inWidth, l.Eps, l.Momentum)
                    : BatchNorm2d(inWidth, l.Eps, l.Momentum),
                _ => throw new NotSupportedException($"layer {l.Kind} has no TorchSharp module"),
            };
            modules.Add((i.ToString(System.Globalization.CultureInfo.InvariantCulture), m));
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
        var shapes = spec.InferShapes(inputShape);
        bool trainableBefore = false;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var l = spec.Layers[i];
            if (l.Kind == LayerKind.Conv && trainableBefore)
            {
                var input = i == 0 ? inputShape.ToArray() : shapes[i - 1];
                yield return new ConvGeometry(input[0], l.OutFeatures, input[1], input[2], l.Kernel, l.Stride, l.Padding, l.Dilation, l.Groups);
            }
            trainableBefore |= l.HasParameters;
        }
    }
}
