using Toolchain.Trainer.Training;
using Toolchain.Trainer.Transfer;

namespace Toolchain.Trainer.Tests.Transfer;

public class FineTuneAdviceTests
{
    private static TransferEpoch Best(double train, double validation) =>
        new("head", new EpochRecord(12, 0.4, train, 0.5, 0.7, 1, 100), 0.6, validation);

    [Fact]
    public void A_head_that_validates_well_and_generalises_gets_no_advice() =>
        Assert.Null(TransferTrainer.Advice(Best(train: 0.90, validation: 0.84)));

    [Fact]
    public void A_head_that_validates_under_the_bar_is_told_fine_tuning_is_likely_to_help()
    {
        var advice = TransferTrainer.Advice(Best(train: 0.70, validation: 0.56));

        Assert.NotNull(advice);
        Assert.Contains("only 56.0% (under 80%)", advice, StringComparison.Ordinal);
        Assert.Contains("fine-tuning is likely to help (--fine-tune last)", advice, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', advice);
    }

    [Fact]
    public void A_head_that_validates_far_below_its_training_accuracy_is_told_too()
    {
        var advice = TransferTrainer.Advice(Best(train: 1.00, validation: 0.82));

        Assert.NotNull(advice);
        Assert.Contains("validates at 82.0% against 100.0% on its training images", advice, StringComparison.Ordinal);
    }
}
