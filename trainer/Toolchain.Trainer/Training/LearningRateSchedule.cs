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
        _ => throw new ArgumentOutOfRangeException(nameof(schedule), schedule, null),
    };
}
