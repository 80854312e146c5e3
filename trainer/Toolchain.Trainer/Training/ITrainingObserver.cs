namespace Toolchain.Trainer.Training;

/// <summary>Receives training progress; the CLI draws it, tests may record it or cancel from it.</summary>
public interface ITrainingObserver
{
    /// <summary>An initialisation starts (restart is 1-based).</summary>
    void RunStarted(int restart, int restarts, long seed) { }

    /// <summary>An epoch starts at <paramref name="firstBatch"/> (non-zero when resumed mid-epoch).</summary>
    void EpochStarted(int epoch, int epochs, int batches, int firstBatch) { }

    /// <summary>A batch finished (<paramref name="batch"/> is 1-based).</summary>
    void BatchCompleted(int epoch, int batch, int batches, double runningLoss, double samplesPerSecond) { }

    /// <summary>An epoch finished and was evaluated (epoch 0 is the evaluation before training).</summary>
    void EpochCompleted(EpochRecord record, int epochs) { }

    /// <summary>An initialisation finished with its final training loss and accuracy.</summary>
    void RunFinished(int restart, long seed, double trainLoss, double trainAccuracy) { }

    /// <summary>Something the user should know.</summary>
    void Notice(string message) { }
}
