using Toolchain.Contracts;
using Toolchain.Shared.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Training;

/// <summary>
/// Both splits held as tensors on the training device, normalised once, so that a batch is one index_select.
/// Images are [N,1,H,W] float32 scaled to [0,1] then normalised by <see cref="Mean"/> and <see cref="Std"/>; labels are
/// int64 class ids. XOR features are [N,2] float64 with [N,1] float64 labels, unnormalised, as in the notebook.
/// </summary>
public sealed class TrainingData : IDisposable
{
    private TrainingData(string name, Tensor trainX, Tensor trainY, Tensor testX, Tensor testY, long[] inputShape,
        IReadOnlyList<string> classNames, double mean, double std)
    {
        Name = name;
        TrainX = trainX;
        TrainY = trainY;
        TestX = testX;
        TestY = testY;
        InputShape = inputShape;
        ClassNames = classNames;
        Mean = mean;
        Std = std;
    }

    /// <summary>Dataset name as recorded in results.</summary>
    public string Name { get; }

    /// <summary>Training inputs.</summary>
    public Tensor TrainX { get; }

    /// <summary>Training targets.</summary>
    public Tensor TrainY { get; }

    /// <summary>Test inputs.</summary>
    public Tensor TestX { get; }

    /// <summary>Test targets.</summary>
    public Tensor TestY { get; }

    /// <summary>Input shape without the batch axis.</summary>
    public long[] InputShape { get; }

    /// <summary>Class names, index = class id.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Normalisation mean applied to pixels scaled to [0,1] (0 for XOR).</summary>
    public double Mean { get; }

    /// <summary>Normalisation std (1 for XOR).</summary>
    public double Std { get; }

    /// <summary>Training examples.</summary>
    public int TrainCount => (int)TrainX.shape[0];

    /// <summary>Test examples.</summary>
    public int TestCount => (int)TestX.shape[0];

    /// <summary>Whether the inputs are images.</summary>
    public bool IsImage => InputShape.Length == 3;

    /// <summary>
    /// Puts an image dataset on <paramref name="device"/>, normalised by the given mean and std, or by the training
    /// split's own pixel mean and std when they are null.
    /// </summary>
    public static TrainingData FromImages(LoadedDataset dataset, double? mean, double? std, Device device)
    {
        var (ownMean, ownStd) = PixelStatistics.Compute(dataset.Train);
        double m = mean ?? ownMean, s = std ?? ownStd;
        if (!(s > 0))
        {
            throw new Contracts.ToolchainException($"{dataset.Directory}: the training images are all one value; cannot normalise");
        }
        return new TrainingData(dataset.Name,
            Images(dataset.Train, m, s, device), Labels(dataset.Train, device),
            Images(dataset.Test, m, s, device), Labels(dataset.Test, device),
            [1, dataset.Train.Rows, dataset.Train.Cols], dataset.ClassNames, m, s);
    }

    /// <summary>Puts XOR points (row-major N×2) and 0/1 labels on <paramref name="device"/> as float64.</summary>
    public static TrainingData FromXor(double[] trainFeatures, double[] trainLabels, double[] testFeatures, double[] testLabels, Device device)
    {
        static Tensor X(double[] f, Device d) => tensor(f, [f.Length / 2, 2], float64).to(d);
        static Tensor Y(double[] l, Device d) => tensor(l, [l.Length, 1], float64).to(d);
        return new TrainingData("xor", X(trainFeatures, device), Y(trainLabels, device), X(testFeatures, device), Y(testLabels, device),
            [2], ["0", "1"], 0, 1);
    }

    /// <summary>Scales bytes to [0,1] and normalises them, the same way for training and for export verification.</summary>
    public static Tensor Images(ImageSet set, double mean, double std, Device device)
    {
        using var scope = NewDisposeScope();
        var raw = tensor(set.Pixels, [set.Count, 1, set.Rows, set.Cols]);
        var x = raw.to(float32).div_(255.0).sub_(mean).div_(std);
        return x.to(device).MoveToOuterDisposeScope();
    }

    private static Tensor Labels(ImageSet set, Device device)
    {
        using var scope = NewDisposeScope();
        return tensor(set.Labels, [set.Count]).to(int64).to(device).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        TrainX.Dispose();
        TrainY.Dispose();
        TestX.Dispose();
        TestY.Dispose();
    }
}
