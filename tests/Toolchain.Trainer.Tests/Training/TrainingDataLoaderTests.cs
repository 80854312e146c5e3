using Toolchain.Data;
using Toolchain.Trainer.Training;
using static TorchSharp.torch;

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

    [Fact]
    public void Whether_images_are_digits_is_the_datasets_own_word_not_its_name()
    {
        Assert.True(DatasetCatalog.Default.Find(DatasetCatalog.Mnist)!.Digits);
        Assert.True(DatasetCatalog.Default.Find(DatasetCatalog.MnistSample)!.Digits);
        Assert.False(DatasetCatalog.Default.Find(DatasetCatalog.FashionMnist)!.Digits);
        using var dir = new TempDir();
        var idx = TrainingFixtures.WriteQuadrantsFolder(Path.Combine(dir.Path, "idx"));

        var (sample, _) = TrainingDataLoader.Load(DatasetCatalog.MnistSample, 0, DataPaths.DefaultRoot(), null, null, CPU, null);
        var (folder, _) = TrainingDataLoader.Load(idx, 0, dir.Path, null, null, CPU, null);
        using var named = TrainingData.FromImages(TrainingFixtures.Quadrants() with { Name = DatasetCatalog.FashionMnist }, null, null, CPU);
        using var unnamed = TrainingData.FromImages(TrainingFixtures.Quadrants() with { Name = DatasetCatalog.Mnist, Digits = false }, null, null, CPU);
        using var pictures = TrainingData.FromImages(TrainingFixtures.Quadrants(), null, null, CPU).WithImageFolderFacts(new Dictionary<string, string>());
        using (sample)
        using (folder)
        {
            Assert.Equal((true, true), (sample.IsDigitSet, folder.IsDigitSet));
        }
        Assert.True(named.IsDigitSet, "a digit set named fashion-mnist is still a digit set");
        Assert.False(unnamed.IsDigitSet, "a set named mnist whose images are not digits is not");
        Assert.False(pictures.IsDigitSet);
        Assert.Equal(Contracts.PixelConvention.AsStored, pictures.PixelConvention);
    }
}
