using System.Globalization;
using Toolchain.Trainer.Models;
using static TorchSharp.torch;
using Sequential = TorchSharp.Modules.Sequential;

namespace Toolchain.Trainer.Transfer;

/// <summary>The features a head trains on: standardised when the head can take the scaling folded in.</summary>
/// <param name="All">Every training image (all cached views).</param>
/// <param name="Fit">The training images outside the validation split (all views).</param>
/// <param name="Validation">The validation split, as the pictures are.</param>
/// <param name="Test">The test split, as the pictures are.</param>
/// <param name="Scaling">The standardisation applied to all four, or null for raw features.</param>
internal sealed record HeadData(CachedRows All, CachedRows Fit, CachedRows Validation, CachedRows Test, FeatureScaling? Scaling) : IDisposable
{
    public void Dispose()
    {
        All.Dispose();
        Fit.Dispose();
        Validation.Dispose();
        Test.Dispose();
        Scaling?.Dispose();
    }
}

/// <summary>The head phase's outcome: the head trained on every training image, and what chose it.</summary>
/// <param name="Spec">The kept head.</param>
/// <param name="Head">Its network, trained on all training images, taking features scaled by <see cref="HeadData.Scaling"/> (when there is one).</param>
/// <param name="Trials">Every candidate with its validation figures.</param>
/// <param name="History">The kept candidate's epochs (with validation), then the refit's.</param>
/// <param name="Selection">The kept candidate's best epoch, on which the advice to fine-tune is judged.</param>
/// <param name="Test">The refit head's test loss and accuracy.</param>
/// <param name="Interrupted">Whether cancellation stopped it.</param>
internal sealed record HeadOutcome(ArchitectureSpec Spec, Sequential Head, IReadOnlyList<HeadTrial> Trials, IReadOnlyList<TransferEpoch> History,
    TransferEpoch Selection, (double Loss, double Accuracy) Test, bool Interrupted);

/// <summary>
/// Trains the head on frozen features: every candidate on the training images outside the validation split, with
/// early stopping on validation loss; the candidate with the better validation accuracy is kept (without --head: a
/// linear layer or one hidden layer with dropout) and trained again, from the same initialisation, on all training
/// images for as many epochs as its best. Validation chooses; the final head learns from every image.
/// </summary>
internal static class HeadTrainer
{
    public static HeadOutcome Train(TransferOptions o, IReadOnlyList<ArchitectureSpec> candidates, HeadData data, TransferHooks hooks, CancellationToken cancel)
    {
        long width = data.All.X.shape[1];
        var trials = new List<HeadTrial>();
        (ArchitectureSpec Spec, FitResult Fit)? kept = null;
        foreach (var spec in candidates)
        {
            using var head = Build(spec, width, o.Seed);
            using var optimizer = optim.Adam(head.parameters(), o.LearningRate, weight_decay: o.WeightDecay);
            var settings = new FitSettings("head", o.Epochs, o.BatchSize, o.Patience, (_, _) => 1.0);
            var result = FitLoop.Fit(head, head.train, optimizer, [o.LearningRate], data.Fit, data.Validation.Plain(), data.Test.Plain(), settings, o.Seed, 1,
                hooks.Observer, cancel);
            if (result.Epochs.Count == 0 || result.Interrupted)
            {
                // Stopped before the choice is made: nothing is worth keeping or exporting.
                throw new OperationCanceledException(cancel);
            }
            var best = result.Best;
            trials.Add(new HeadTrial(spec.Canonical, best.ValidationAccuracy, best.ValidationLoss, best.Record.TrainAccuracy, result.BestEpoch));
            var stopped = result.Stopped ? string.Create(CultureInfo.InvariantCulture, $", stopped at {result.Epochs[^1].Record.Epoch}") : "";
            hooks.Say(string.Create(CultureInfo.InvariantCulture,
                $"head {spec.Canonical}: validation {100 * best.ValidationAccuracy:0.00}% (loss {best.ValidationLoss:0.0000}, best epoch {result.BestEpoch}{stopped}), " +
                $"training {100 * best.Record.TrainAccuracy:0.00}%"));
            if (kept is null || Better(best, kept.Value.Fit.Best))
            {
                kept = (spec, result);
            }
        }
        var (keptSpec, selection) = kept!.Value;
        if (trials.Count > 1)
        {
            hooks.Say($"head: kept {keptSpec.Canonical} (better on validation; --head sets one)");
        }

        // The kept head again, from the same initialisation, on every training image for its best number of epochs.
        int epochs = Math.Max(1, selection.BestEpoch);
        hooks.Say(string.Create(CultureInfo.InvariantCulture,
            $"head: training {keptSpec.Canonical} on all {data.All.Count:N0} training images for {epochs} epochs (its best on validation)"));
        var final = Build(keptSpec, width, o.Seed);
        using var finalOptimizer = optim.Adam(final.parameters(), o.LearningRate, weight_decay: o.WeightDecay);
        var none = (empty([0, width]), empty([0], dtype: int64));
        var refit = FitLoop.Fit(final, final.train, finalOptimizer, [o.LearningRate], data.All, none, data.Test.Plain(),
            new FitSettings("head-all", epochs, o.BatchSize, 0, (_, _) => 1.0), o.Seed, selection.Epochs[^1].Record.Epoch + 1, hooks.Observer, cancel);
        none.Item1.Dispose();
        none.Item2.Dispose();
        final.eval();
        var test = FitLoop.Evaluate(final, data.Test.Plain());
        return new HeadOutcome(keptSpec, final, trials, [.. selection.Epochs, .. refit.Epochs], selection.Best, test, refit.Interrupted);
    }

    private static Sequential Build(ArchitectureSpec spec, long width, long seed)
    {
        manual_seed(seed);
        return ModelBuilder.Build(spec, [width]);
    }

    private static bool Better(TransferEpoch candidate, TransferEpoch best) =>
        candidate.ValidationAccuracy > best.ValidationAccuracy + 1e-9
        || (Math.Abs(candidate.ValidationAccuracy - best.ValidationAccuracy) <= 1e-9 && candidate.ValidationLoss < best.ValidationLoss);
}
