using Toolchain.Contracts;
using Toolchain.Shared.Data;
using Toolchain.Shared.Errors;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Training;

/// <summary>Loads the data a run names: the XOR draw or an image dataset through <see cref="DatasetResolver"/>.</summary>
public static class TrainingDataLoader
{
    /// <summary>The dataset name of the XOR model.</summary>
    public const string Xor = "xor";

    /// <summary>
    /// Loads <paramref name="dataset"/> ("xor", "auto", a catalog name or a folder). XOR trains on the draw with
    /// <paramref name="dataSeed"/> and tests on the next seed's draw. Images are normalised by the given mean and std,
    /// or by the training split's own when null. Returns the data and the resolved dataset spec to record.
    /// </summary>
    public static (TrainingData Data, string Resolved) Load(string dataset, uint dataSeed, string dataRoot, double? mean, double? std,
        Device device, Action<string>? notice)
    {
        if (dataset == Xor)
        {
            var (trainX, trainY) = XorDataset.Generate(dataSeed);
            var (testX, testY) = XorDataset.Generate(unchecked(dataSeed + 1));
            return (TrainingData.FromXor(trainX, trainY, testX, testY, device), Xor);
        }
        var loaded = DatasetResolver.Load(dataset, dataRoot, notice);
        if (loaded.Train.Count == 0 || loaded.Test.Count == 0)
        {
            throw new ToolchainException($"{loaded.Directory}: the dataset needs both a training and a test split with images");
        }
        // A folder is recorded by its full path; a catalog dataset by its name, so 'auto' records what it chose.
        bool isFolder = dataset != "auto" && (Directory.Exists(dataset) || dataset.Contains('/'));
        var resolved = isFolder ? Path.GetFullPath(dataset) : loaded.Name;
        return (TrainingData.FromImages(loaded, mean, std, device), resolved);
    }

    /// <summary>
    /// Whether two --dataset values name the same data: the same text, or the same folder once resolved, so that a
    /// catalog name and its folder, or auto and the dataset it picks, count as one.
    /// </summary>
    public static bool SameDataset(string dataset, string other, string dataRoot)
    {
        if (dataset == other)
        {
            return true;
        }
        if (dataset == Xor || other == Xor)
        {
            return false;
        }
        static string Folder(string d, string root) => Path.TrimEndingDirectorySeparator(DatasetResolver.Load(d, root).Directory);
        return Folder(dataset, dataRoot) == Folder(other, dataRoot);
    }
}
