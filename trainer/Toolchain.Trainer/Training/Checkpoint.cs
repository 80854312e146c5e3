using Toolchain.Shared.Cards;
using Toolchain.Shared.Models;
using Sequential = TorchSharp.Modules.Sequential;

namespace Toolchain.Trainer.Training;

/// <summary>A checkpoint read back: the rebuilt network with its weights, the spec, input shape and the model card so far.</summary>
/// <param name="Model">The network in eval mode, in the element type it was trained in.</param>
/// <param name="Spec">The architecture spec stored with it.</param>
/// <param name="InputShape">Input shape without batch axis.</param>
/// <param name="Card">The card as recorded at the last completed epoch.</param>
/// <param name="Epoch">Last completed epoch.</param>
/// <param name="DatasetSpec">The --dataset value that was resolved, so export can load verification inputs.</param>
public sealed record LoadedCheckpoint(Sequential Model, ArchitectureSpec Spec, IReadOnlyList<long> InputShape, ModelCard Card, int Epoch, string DatasetSpec);

/// <summary>Reads and writes training checkpoints (model, optimizer, epoch, RNG state, spec and card), atomically.</summary>
public static class Checkpoint
{
    /// <summary>Loads the checkpoint at <paramref name="path"/> for export or evaluation.</summary>
    public static LoadedCheckpoint Load(string path) =>
        throw new NotImplementedException("Checkpoint.Load is being written");
}
