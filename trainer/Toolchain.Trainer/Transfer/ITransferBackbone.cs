using TorchSharp;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Transfer;

/// <summary>
/// A pretrained backbone as a transfer run uses it: what the card records about it, the graph that featurizes
/// pictures in ONNX Runtime, the trainable part for fine-tuning, and the export of the whole model.
/// </summary>
public interface ITransferBackbone : IDisposable
{
    /// <summary>Short name, e.g. resnet18.</summary>
    string Name { get; }

    /// <summary>SHA-256 (hex) of the backbone's ONNX file.</summary>
    string Digest { get; }

    /// <summary>Where its weights came from.</summary>
    string Source { get; }

    /// <summary>The weights' licence.</summary>
    string Licence { get; }

    /// <summary>Everything else the features depend on (input size, preprocessing), as one line for the cache key.</summary>
    string ConfigKey { get; }

    /// <summary>Input height.</summary>
    int Height { get; }

    /// <summary>Input width.</summary>
    int Width { get; }

    /// <summary>The name of the pooled-feature output of <see cref="Featurizer"/>.</summary>
    string FeaturesOutput { get; }

    /// <summary>The name of the output holding the activations where the last stage starts (for <see cref="FineTuneMode.Last"/>).</summary>
    string StageOutput { get; }

    /// <summary>
    /// The featurizing graph (float RGB 0–255 pixels in, preprocessing inside, a dynamic batch), written under
    /// <paramref name="workDirectory"/> when needed; with <paramref name="withStage"/> it also outputs <see cref="StageOutput"/>.
    /// </summary>
    FeaturizerGraph Featurizer(string workDirectory, bool withStage);

    /// <summary>
    /// The part that trains in <paramref name="mode"/> as a TorchSharp module, with the pretrained weights: for
    /// <see cref="FineTuneMode.Last"/> the last stage, pooling and flattening (activations in, features out); for
    /// <see cref="FineTuneMode.All"/> the whole backbone with its preprocessing (pixels 0–255 in, features out).
    /// </summary>
    nn.Module<Tensor, Tensor> Trainable(FineTuneMode mode);

    /// <summary>Sets the trainable part's mode: BatchNorm layers of frozen stages stay in eval mode whatever <paramref name="training"/> says.</summary>
    void SetTraining(nn.Module<Tensor, Tensor> trainable, bool training);
}
