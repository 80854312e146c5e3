using System.Diagnostics;
using Toolchain.Trainer.Training;

namespace Toolchain.Trainer.Cli;

/// <summary>
/// Notes when the first training batch starts, in seconds since the process started, and passes every event on. The
/// figure is the user's wait for training to begin: the runtime's own start-up, reading the arguments, loading the data
/// (or its cache), building the network and evaluating it once before training.
/// </summary>
internal sealed class FirstBatchClock(ITrainingObserver inner) : ITrainingObserver
{
    /// <summary>Seconds from the process's start to the first training batch, or null while no batch has started.</summary>
    public double? Seconds { get; private set; }

    /// <summary>Seconds since this process started, by the operating system's record of its start.</summary>
    public static double ProcessSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return (DateTime.Now - self.StartTime).TotalSeconds;
    }

    public void RunStarted(int restart, int restarts, long seed) => inner.RunStarted(restart, restarts, seed);

    public void EpochStarted(int epoch, int epochs, int batches, int firstBatch)
    {
        // The first epoch's first batch follows at once; later epochs and restarts do not move the figure.
        Seconds ??= ProcessSeconds();
        inner.EpochStarted(epoch, epochs, batches, firstBatch);
    }

    public void BatchCompleted(int epoch, int batch, int batches, double runningLoss, double samplesPerSecond) =>
        inner.BatchCompleted(epoch, batch, batches, runningLoss, samplesPerSecond);

    public void EpochCompleted(EpochRecord record, int epochs) => inner.EpochCompleted(record, epochs);

    public void RunFinished(int restart, long seed, double trainLoss, double trainAccuracy) => inner.RunFinished(restart, seed, trainLoss, trainAccuracy);

    public void Notice(string message) => inner.Notice(message);
}
