using Toolchain.Trainer.Transfer;

namespace Toolchain.Trainer.Tests.Transfer;

public class TransferOptionsTests
{
    [Theory]
    [InlineData(FineTuneMode.Last, 589, 8)]     // emoji-10: capped at 8
    [InlineData(FineTuneMode.Last, 4_065, 8)]   // emoji-9: 32,000 samples' worth is 7.9 epochs
    [InlineData(FineTuneMode.Last, 6_000, 6)]
    [InlineData(FineTuneMode.Last, 60_000, 3)]  // at least 3
    [InlineData(FineTuneMode.All, 589, 4)]      // every stage: 20,000 samples' worth, 2 to 4
    [InlineData(FineTuneMode.All, 8_000, 3)]
    [InlineData(FineTuneMode.All, 60_000, 2)]
    public void The_default_fine_tuning_epochs_follow_the_training_pictures(FineTuneMode mode, int pictures, int epochs) =>
        Assert.Equal(epochs, new TransferOptions { Dataset = "d", FineTune = mode }.FineTuneEpochsFor(pictures));

    [Fact]
    public void Given_fine_tuning_epochs_win_over_the_default() =>
        Assert.Equal(2, new TransferOptions { Dataset = "d", FineTune = FineTuneMode.Last, FineTuneEpochs = 2 }.FineTuneEpochsFor(4_065));
}
