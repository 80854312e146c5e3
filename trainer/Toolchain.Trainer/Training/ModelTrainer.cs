using Toolchain.Contracts;
using Toolchain.Trainer.Models;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Training;

/// <summary>How a training call ended.</summary>
/// <param name="Run">The kept run: the best initialisation, or the one stopped by cancellation.</param>
/// <param name="Interrupted">Whether cancellation stopped it; its checkpoint says where.</param>
/// <param name="Trials">Every finished initialisation: seed, final training loss and accuracy.</param>
public sealed record TrainingOutcome(TrainingRun Run, bool Interrupted, IReadOnlyList<(long Seed, double TrainLoss, double TrainAccuracy)> Trials);

/// <summary>
/// Trains a model as <see cref="TrainingOptions"/> say: one or more initialisations (keeping the best on the training
/// set), a checkpoint after every epoch, and a checkpoint where cancellation stops it.
/// </summary>
public static class ModelTrainer
{
    /// <summary>
    /// Restart k starts from seed + k·stride. A stride of 10 keeps the initialisations of --seed 0..9 disjoint, where
    /// consecutive seeds would share four of five (with the notebook's data, seeds 5..9 all stall short of 100%).
    /// </summary>
    public const int RestartSeedStride = 10;

    /// <summary>
    /// Whether a finished initialisation beats the best so far: higher training accuracy first, then lower training
    /// loss. MSE alone can prefer a confident net that misclassifies one outlier over one that gets all points right.
    /// </summary>
    public static bool IsBetter(double accuracy, double loss, double bestAccuracy, double bestLoss) =>
        accuracy > bestAccuracy || (accuracy == bestAccuracy && loss < bestLoss);

    /// <summary>Checks that <paramref name="architecture"/> parses and fits the data; returns the parsed spec.</summary>
    public static ArchitectureSpec ValidateArchitecture(string architecture, TrainingData data)
    {
        var spec = ArchitectureSpec.Parse(architecture);
        var shapes = spec.InferShapes(data.InputShape);
        long expected = data.OutputWidth;
        var output = shapes[^1];
        if (output.Length != 1 || output[0] != expected)
        {
            throw new ToolchainException(
                $"arch: the network ends in {ArchitectureSpec.FormatShape(output)} but {data.Name} needs [{expected}] " +
                (data.IsRegression ? $"(one value per target); end with linear({expected})"
                : !data.IsXor ? $"(one logit per class); end with linear({expected})" : "(one probability); end with linear(1) sigmoid"));
        }
        return spec;
    }

    /// <summary>The spec model of <paramref name="options"/>, checked against <paramref name="data"/>.</summary>
    public static SpecModelKind SpecModel(TrainingOptions options, TrainingData data)
    {
        var spec = ValidateArchitecture(options.Architecture, data);
        return new SpecModelKind(spec, data.InputShape)
        {
            Note = ConvolutionGradients.Verify(ModelBuilder.ConvolutionsNeedingInputGradients(spec, data.InputShape)),
        };
    }

    /// <summary>
    /// Trains, writing <see cref="Checkpoint.FileName"/> into <paramref name="outDir"/> after every epoch and when
    /// <paramref name="cancel"/> fires (after the batch in progress). With <paramref name="resume"/>, continues that run.
    /// The network is <paramref name="kind"/>, or the spec of <paramref name="options"/> when null.
    /// </summary>
    public static TrainingOutcome Run(TrainingOptions options, TrainingData data, Device device, string outDir, string datasetSpec,
        CheckpointContents? resume, ITrainingObserver observer, CancellationToken cancel, IModelKind? kind = null)
    {
        kind ??= SpecModel(options, data);
        var checkpointPath = Path.Combine(outDir, Checkpoint.FileName);
        if (kind is SpecModelKind { Note: { } note })
        {
            observer.Notice(note);
        }
        if (resume is not null)
        {
            var resumed = TrainingRun.Restore(resume, options, data, device, kind);
            observer.RunStarted(1, 1, resumed.InitSeed);
            bool done = TrainEpochs(resumed, data, checkpointPath, datasetSpec, observer, cancel);
            return new TrainingOutcome(resumed, !done, []);
        }

        TrainingRun? best = null;
        double bestLoss = double.PositiveInfinity, bestAccuracy = double.NegativeInfinity;
        var trials = new List<(long, double, double)>();
        for (int r = 0; r < options.Restarts; r++)
        {
            long seed = options.Seed + ((long)r * RestartSeedStride);
            observer.RunStarted(r + 1, options.Restarts, seed);
            var run = TrainingRun.Create(options, data, kind, device, seed);
            observer.EpochCompleted(run.EvaluateInitial(), options.Epochs);
            if (!TrainEpochs(run, data, checkpointPath, datasetSpec, observer, cancel))
            {
                best?.Dispose();
                return new TrainingOutcome(run, true, trials);
            }
            var (loss, accuracy) = run.Evaluate(data.TrainX, data.TrainY);
            trials.Add((seed, loss, accuracy));
            observer.RunFinished(r + 1, seed, loss, accuracy);
            if (best is null || IsBetter(accuracy, loss, bestAccuracy, bestLoss))
            {
                best?.Dispose();
                best = run;
                bestLoss = loss;
                bestAccuracy = accuracy;
            }
            else
            {
                run.Dispose();
            }
        }
        if (options.Restarts > 1)
        {
            // The file holds the last initialisation tried; the kept one replaces it.
            Checkpoint.Save(checkpointPath, best!, TrainingCard.Build(best!, data), datasetSpec);
            observer.Notice(System.FormattableString.Invariant($"kept the initialisation with seed {best!.InitSeed} (training accuracy {100 * bestAccuracy:0.00}%, loss {bestLoss:G6})"));
        }
        return new TrainingOutcome(best!, false, trials);
    }

    /// <summary>
    /// Epochs shorter than this share a checkpoint: xor's 200 epochs take milliseconds each, and 200 synced writes
    /// would cost more than the training. Longer epochs, the last epoch and an interruption always write one.
    /// </summary>
    public static readonly TimeSpan MinCheckpointInterval = TimeSpan.FromSeconds(2);

    private static bool TrainEpochs(TrainingRun run, TrainingData data, string checkpointPath, string datasetSpec,
        ITrainingObserver observer, CancellationToken cancel)
    {
        var sinceCheckpoint = System.Diagnostics.Stopwatch.StartNew();
        while (run.CompletedEpochs < run.Options.Epochs && !run.RestoredBest)
        {
            var record = run.TrainEpoch(observer, cancel);
            bool last = record is null || run.CompletedEpochs >= run.Options.Epochs || run.PatienceRunOut;
            if (record is not null && last)
            {
                int? restored = run.RestoreBest();
                if (run.StoppedEarly)
                {
                    observer.Notice(System.FormattableString.Invariant(
                        $"early stop after epoch {run.CompletedEpochs}: no lower validation loss for {run.Options.Patience} epochs; kept epoch {run.BestEpoch}'s weights"));
                }
                else if (restored is { } best)
                {
                    observer.Notice(System.FormattableString.Invariant($"kept epoch {best}'s weights, the lowest validation loss"));
                }
            }
            if (last || sinceCheckpoint.Elapsed >= MinCheckpointInterval)
            {
                Checkpoint.Save(checkpointPath, run, TrainingCard.Build(run, data), datasetSpec);
                TrainingHistory.Write(Path.Combine(Path.GetDirectoryName(checkpointPath)!, "history.csv"), run.History, data.IsRegression);
                sinceCheckpoint.Restart();
            }
            if (record is null)
            {
                return false;
            }
        }
        return true;
    }
}
