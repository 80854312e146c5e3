namespace Toolchain.Trainer.Training;

/// <summary>
/// Where an unfinished epoch stands: its permutation, the next batch and the running sums, so a run stopped mid-epoch
/// (Ctrl-C) continues exactly where it was.
/// </summary>
/// <param name="Epoch">The epoch in progress (1-based).</param>
/// <param name="Permutation">The epoch's order of training examples.</param>
/// <param name="NextBatch">The first batch not yet trained (0-based).</param>
/// <param name="LossSum">Sum of per-example training loss so far.</param>
/// <param name="Correct">Correctly classified training examples so far.</param>
/// <param name="Seen">Training examples seen so far.</param>
/// <param name="Seconds">Training time spent in this epoch so far.</param>
public sealed record EpochCursor(int Epoch, long[] Permutation, int NextBatch, double LossSum, long Correct, long Seen, double Seconds);
