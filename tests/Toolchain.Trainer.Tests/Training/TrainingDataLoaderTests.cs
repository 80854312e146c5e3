using Toolchain.Data;
using Toolchain.Trainer.Training;

namespace Toolchain.Trainer.Tests.Training;

public class TrainingDataLoaderTests
{
    [Fact]
    public void A_catalog_name_and_the_folder_it_reads_are_the_same_dataset()
    {
        var bundled = DataPaths.FindBundledSample();
        Assert.NotNull(bundled);
        using var root = new TempDir();
        Assert.True(TrainingDataLoader.SameDataset(DatasetCatalog.MnistSample, bundled, root.Path));
        Assert.True(TrainingDataLoader.SameDataset(bundled + "/", DatasetCatalog.MnistSample, root.Path));
    }

    [Fact]
    public void Two_different_folders_are_different_datasets_and_xor_is_only_itself()
    {
        using var dir = new TempDir();
        var first = TrainingFixtures.WriteQuadrantsFolder(Path.Combine(dir.Path, "first"));
        var second = TrainingFixtures.WriteQuadrantsFolder(Path.Combine(dir.Path, "second"));
        Assert.False(TrainingDataLoader.SameDataset(first, second, dir.Path));
        Assert.True(TrainingDataLoader.SameDataset(TrainingDataLoader.Xor, TrainingDataLoader.Xor, dir.Path));
        Assert.False(TrainingDataLoader.SameDataset(TrainingDataLoader.Xor, first, dir.Path));
    }
}
