using System.Diagnostics;
using Toolchain.Trainer.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Transfer;

/// <summary>One epoch of a transfer run: the usual record plus the validation figures that steer it.</summary>
/// <param name="Phase">"head" (frozen backbone) or "fine-tune".</param>
/// <param name="Record">Train (running, over the epoch's batches) and test figures, as history.csv holds them.</param>
/// <param name="ValidationLoss">Mean loss on the validation split.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation split.</param>
public sealed record TransferEpoch(string Phase, EpochRecord Record, double ValidationLoss, double ValidationAccuracy);

/// <summary>How <see cref="FitLoop"/> trains.</summary>
/// <param name="Phase">The phase's name, for the history.</param>
/// <param name="Epochs">Most epochs.</param>
/// <param name="BatchSize">Mini-batch size.</param>
/// <param name="Patience">Epochs without a better validation loss before stopping (0: never).</param>
/// <param name="RateFactor">The learning-rate multiplier at (step, total steps), applied to every group's base rate.</param>
internal sealed record FitSettings(string Phase, int Epochs, int BatchSize, int Patience, Func<long, long, double> RateFactor);

/// <summary>What <see cref="FitLoop.Fit"/> did.</summary>
/// <param name="Epochs">Every epoch, with its validation figures.</param>
/// <param name="BestEpoch">The epoch whose weights were kept (lowest validation loss).</param>
/// <param name="Stopped">Whether early stopping ended it before the last epoch.</param>
/// <param name="Interrupted">Whether cancellation ended it.</param>
internal sealed record FitResult(IReadOnlyList<TransferEpoch> Epochs, int BestEpoch, bool Stopped, bool Interrupted)
{
    /// <summary>The kept epoch's figures (the last epoch's when none had a finite validation loss).</summary>
    public TransferEpoch Best => Epochs.FirstOrDefault(e => e.Record.Epoch == BestEpoch) ?? Epochs[^1];
}

/// <summary>
/// Trains a module on batches from an <see cref="IBatchSource"/> with cross-entropy, judging every epoch on a
/// validation split: it stops after <see cref="FitSettings.Patience"/> epochs without a better validation loss and
/// restores the weights of the best epoch. The test split is evaluated every epoch for the history only.
/// </summary>
internal static class FitLoop
{
    /// <summary>Evaluation chunk: large enough to keep kernels busy, small enough for a stage's activations.</summary>
    private const long EvalChunk = 256;

    public static FitResult Fit(nn.Module<Tensor, Tensor> model, Action<bool> setTraining, optim.Optimizer optimizer, double[] baseRates,
        IBatchSource train, (Tensor X, Tensor Y) validation, (Tensor X, Tensor Y) test, FitSettings s, long seed, int firstEpoch,
        ITrainingObserver observer, CancellationToken cancel)
    {
        var epochs = new List<TransferEpoch>();
        using var random = new Generator((ulong)seed);
        int batches = (train.Count + s.BatchSize - 1) / s.BatchSize;
        long totalSteps = (long)s.Epochs * batches;
        Dictionary<string, Tensor>? best = null;
        double bestLoss = double.PositiveInfinity;
        int bestEpoch = firstEpoch - 1, sinceBest = 0;
        try
        {
            for (int e = 0; e < s.Epochs; e++)
            {
                int epoch = firstEpoch + e;
                observer.EpochStarted(epoch, firstEpoch + s.Epochs - 1, batches, 0);
                setTraining(true);
                double lossSum = 0;
                long correct = 0, seen = 0;
                var clock = Stopwatch.StartNew();
                using var permutation = randperm(train.Count, generator: random);
                for (int b = 0; b < batches; b++)
                {
                    if (cancel.IsCancellationRequested)
                    {
                        return new FitResult(epochs, bestEpoch, false, true);
                    }
                    using var scope = NewDisposeScope();
                    double factor = s.RateFactor(((long)e * batches) + b, totalSteps);
                    for (int g = 0; g < baseRates.Length; g++)
                    {
                        optimizer.ParamGroups.ElementAt(g).LearningRate = baseRates[g] * factor;
                    }
                    int start = b * s.BatchSize, count = Math.Min(s.BatchSize, train.Count - start);
                    var (x, y) = train.Take(permutation.narrow(0, start, count), random);
                    optimizer.zero_grad();
                    var output = model.forward(x);
                    var loss = nn.functional.cross_entropy(output, y);
                    loss.backward();
                    optimizer.step();
                    lossSum += loss.ToDouble() * count;
                    correct += output.argmax(1).eq(y).sum().ToInt64();
                    seen += count;
                    observer.BatchCompleted(epoch, b + 1, batches, lossSum / seen, seen / Math.Max(clock.Elapsed.TotalSeconds, 1e-9));
                }
                double seconds = clock.Elapsed.TotalSeconds;
                setTraining(false);
                var (valLoss, valAcc) = Evaluate(model, validation);
                var (testLoss, testAcc) = Evaluate(model, test);
                var record = new EpochRecord(epoch, lossSum / seen, (double)correct / seen, testLoss, testAcc, seconds, seen / Math.Max(seconds, 1e-9));
                epochs.Add(new TransferEpoch(s.Phase, record, valLoss, valAcc));
                observer.EpochCompleted(record, firstEpoch + s.Epochs - 1);
                if (valLoss < bestLoss)
                {
                    bestLoss = valLoss;
                    bestEpoch = epoch;
                    sinceBest = 0;
                    Replace(ref best, Snapshot(model));
                }
                else if (s.Patience > 0 && ++sinceBest >= s.Patience)
                {
                    Restore(model, best);
                    return new FitResult(epochs, bestEpoch, e < s.Epochs - 1, false);
                }
            }
            Restore(model, best);
            return new FitResult(epochs, bestEpoch, false, false);
        }
        finally
        {
            Replace(ref best, null);
            GC.Collect();
        }
    }

    /// <summary>Mean cross-entropy and accuracy of <paramref name="model"/> (in eval mode) over a split.</summary>
    public static (double Loss, double Accuracy) Evaluate(nn.Module<Tensor, Tensor> model, (Tensor X, Tensor Y) split)
    {
        long n = split.X.shape[0];
        if (n == 0)
        {
            return (double.NaN, double.NaN);
        }
        double lossSum = 0;
        long correct = 0;
        using var noGrad = no_grad();
        for (long start = 0; start < n; start += EvalChunk)
        {
            using var scope = NewDisposeScope();
            long count = Math.Min(EvalChunk, n - start);
            var output = model.forward(split.X.narrow(0, start, count).to(float32));
            var y = split.Y.narrow(0, start, count);
            lossSum += nn.functional.cross_entropy(output, y, reduction: nn.Reduction.Sum).ToDouble();
            correct += output.argmax(1).eq(y).sum().ToInt64();
        }
        return (lossSum / n, (double)correct / n);
    }

    /// <summary>The logits of <paramref name="model"/> (in eval mode) over <paramref name="x"/>, on the CPU.</summary>
    public static Tensor Logits(nn.Module<Tensor, Tensor> model, Tensor x)
    {
        using var noGrad = no_grad();
        var parts = new List<Tensor>();
        for (long start = 0; start < x.shape[0]; start += EvalChunk)
        {
            using var scope = NewDisposeScope();
            parts.Add(model.forward(x.narrow(0, start, Math.Min(EvalChunk, x.shape[0] - start)).to(float32)).cpu().MoveToOuterDisposeScope());
        }
        var all = cat(parts.ToArray());
        parts.ForEach(p => p.Dispose());
        return all;
    }

    private static Dictionary<string, Tensor> Snapshot(nn.Module model)
    {
        using var noGrad = no_grad();
        return model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone().DetachFromDisposeScope());
    }

    private static void Restore(nn.Module model, Dictionary<string, Tensor>? state)
    {
        if (state is null)
        {
            return;
        }
        using var noGrad = no_grad();
        var current = model.state_dict();
        foreach (var (name, value) in state)
        {
            current[name].copy_(value);
        }
    }

    private static void Replace(ref Dictionary<string, Tensor>? slot, Dictionary<string, Tensor>? value)
    {
        if (slot is not null)
        {
            foreach (var t in slot.Values)
            {
                t.Dispose();
            }
        }
        slot = value;
    }
}
