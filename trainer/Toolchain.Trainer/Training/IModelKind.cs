using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Toolchain.Trainer.Training;

/// <summary>
/// A kind of network the training pipeline can train: what it is called in the card, how a fresh one is built, which
/// parameters train at which rate, how it enters training mode, and who exports it. The architecture spec's sequential
/// layer lists are one kind (<see cref="SpecModelKind"/>); an imported ONNX backbone with a head is another, with its
/// own exporter. The training loop, checkpoints, charts and metrics are the same for all.
/// </summary>
public interface IModelKind
{
    /// <summary>The architecture as recorded in the card, metrics.json and the checkpoint.</summary>
    string Architecture { get; }

    /// <summary>Who writes the trained network to ONNX.</summary>
    IModelExporter Exporter { get; }

    /// <summary>A freshly initialised network in float32 on the CPU; torch is already seeded by the caller.</summary>
    Module<Tensor, Tensor> Build();

    /// <summary>
    /// The parameters the optimizer updates, in groups with their learning rate as a share of the base rate (a
    /// fine-tuned backbone trains slower than its head). Frozen parameters are left out. Default: all, at the base rate.
    /// </summary>
    IReadOnlyList<ParameterGroup> ParameterGroups(Module<Tensor, Tensor> model) => [new ParameterGroup([.. model.parameters()], 1.0)];

    /// <summary>Puts <paramref name="model"/> in training mode (a frozen backbone keeps its BatchNorm in eval mode). Default: all of it.</summary>
    void SetTrainingMode(Module<Tensor, Tensor> model) => model.train();
}

/// <summary>Parameters that share a learning rate.</summary>
/// <param name="Parameters">The parameters.</param>
/// <param name="LearningRateScale">Their rate as a share of the run's base rate (1 for the base rate itself).</param>
public sealed record ParameterGroup(IReadOnlyList<Parameter> Parameters, double LearningRateScale);
