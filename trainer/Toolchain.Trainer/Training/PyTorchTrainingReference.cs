using System.Globalization;
using Toolchain.Contracts;

namespace Toolchain.Trainer.Training;

/// <summary>
/// Training speed of PyTorch 1.13 with in-memory batching, batch 64, 2 threads, on the 2-core reference machine, on
/// Fashion-MNIST, and the speed-up the issue set as a goal for each model. These are recorded figures: <c>make bench</c>
/// never runs PyTorch. (The inference figures <c>infer bench</c> compares with are infer's PyTorchReference.)
/// </summary>
public static class PyTorchTrainingReference
{
    /// <summary>The dataset the figures were measured on.</summary>
    public const string Dataset = "fashion-mnist";

    /// <summary>CPU threads PyTorch trained with.</summary>
    public const int Threads = 2;

    /// <summary>Mini-batch size PyTorch trained with.</summary>
    public const int BatchSize = 64;

    /// <summary>Training samples per second, by model.</summary>
    public static readonly IReadOnlyDictionary<BuiltInModel, double> SamplesPerSecond = new Dictionary<BuiltInModel, double>
    {
        [BuiltInModel.Mlp] = 2500,
        [BuiltInModel.Cnn] = 830,
    };

    /// <summary>The speed-up over PyTorch the issue set as a goal, by model.</summary>
    public static readonly IReadOnlyDictionary<BuiltInModel, double> SpeedUpGoal = new Dictionary<BuiltInModel, double>
    {
        [BuiltInModel.Mlp] = 4,
        [BuiltInModel.Cnn] = 2,
    };

    /// <summary>
    /// One line comparing a CPU training run with PyTorch's figure, e.g. <c>cnn fashion-mnist: 3015 samples/s =
    /// 3.63x PyTorch 1.13 (830/s; goal 2x), test accuracy 92.05%</c>; null when the run is not comparable: another
    /// model, dataset, thread count or batch size than PyTorch's.
    /// </summary>
    public static string? Compare(BuiltInModel model, string dataset, int threads, int batchSize, double samplesPerSecond, double testAccuracy)
    {
        if (dataset != Dataset || threads != Threads || batchSize != BatchSize || !SamplesPerSecond.TryGetValue(model, out var torch))
        {
            return null;
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"{EnumText.Of(model)} {dataset}: {samplesPerSecond:0} samples/s = {samplesPerSecond / torch:0.00}x PyTorch 1.13 ({torch:0}/s; goal {SpeedUpGoal[model]:0.##}x), " +
            $"test accuracy {100 * testAccuracy:0.00}%");
    }
}
