namespace Toolchain.Trainer.Training;

/// <summary>
/// The learning rate at each optimisation step. It depends only on the step, so a resumed run needs no scheduler state.
/// </summary>
public static class LearningRateSchedule
{
    /// <summary>The rate for step <paramref name="step"/> (0-based) of <paramref name="totalSteps"/>.</summary>
    public static double At(LearningRateDecay schedule, double baseRate, long step, long totalSteps) => schedule switch
    {
        LearningRateDecay.None => baseRate,
        // Half a cosine from the base rate towards zero, evaluated mid-step so the last step still learns.
        LearningRateDecay.Cosine => baseRate * 0.5 * (1 + Math.Cos(Math.PI * (step + 0.5) / Math.Max(1, totalSteps))),
        LearningRateDecay.WarmupCosine => WarmupCosine(baseRate, step, totalSteps),
        _ => throw new ArgumentOutOfRangeException(nameof(schedule), schedule, null),
    };

    /// <summary>The share of a run's steps the warm-up takes.</summary>
    public const double WarmupShare = 0.05;

    /// <summary>
    /// A linear rise over the first <see cref="WarmupShare"/> of the steps (at least one), then the cosine over the rest.
    /// Adam's first steps at the full rate can throw a fresh network into a state it takes epochs to leave (colour digits
    /// at 2e-3 sat at chance for two epochs with one seed); a short warm-up lets its moment estimates settle first.
    /// </summary>
    private static double WarmupCosine(double baseRate, long step, long totalSteps)
    {
        long warmup = Math.Max(1, (long)Math.Round(WarmupShare * totalSteps));
        return step < warmup
            ? baseRate * (step + 1) / warmup
            : baseRate * 0.5 * (1 + Math.Cos(Math.PI * (step - warmup + 0.5) / Math.Max(1, totalSteps - warmup)));
    }
}
