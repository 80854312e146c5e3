using System.Globalization;

namespace Toolchain.Shared.Benchmarks;

/// <summary>
/// Every recorded PyTorch figure the toolchain compares itself with, in one place: training speed for the trainer and
/// inference speed for <c>infer bench</c>. These are recorded figures: <c>make bench</c> never runs PyTorch.
/// </summary>
public static class PyTorchReference
{
    /// <summary>
    /// The same CNN in PyTorch 1.13 eager (Debian python3-torch, no_grad, 2 threads) on 10k test images, as measured for
    /// issue 5 on a quiet machine.
    /// </summary>
    public static class Inference
    {
        /// <summary>How and where the figures were measured, for reports.</summary>
        public const string Source = "PyTorch 1.13 eager (Debian python3-torch), no_grad, 2 threads, 10k MNIST test images; figures recorded in issue 5";

        /// <summary>Images per second by batch size.</summary>
        public static readonly IReadOnlyDictionary<int, double> ImagesPerSecond = new Dictionary<int, double>
        {
            [64] = 2360,
            [1000] = 1670,
        };

        /// <summary>Intra-op threads PyTorch ran with.</summary>
        public const int Threads = 2;

        /// <summary>Single-image in-process latency, lower end of the range, milliseconds.</summary>
        public const double SingleImageMinMs = 2.4;

        /// <summary>Single-image in-process latency, upper end of the range, milliseconds.</summary>
        public const double SingleImageMaxMs = 4.3;

        /// <summary>Target set by the issue: throughput at <see cref="ThroughputTargetBatch"/> this many times PyTorch's.</summary>
        public const double ThroughputFactorTarget = 5;

        /// <summary>The batch size the throughput target is set at.</summary>
        public const int ThroughputTargetBatch = 1000;

        /// <summary>Target set by the issue: single-image latency at most this many milliseconds.</summary>
        public const double SingleImageTargetMs = 0.5;

        /// <summary>Target set by the issue: a whole <c>infer classify</c> process under this many seconds.</summary>
        public const double WholeProcessTargetSeconds = 0.5;
    }

    /// <summary>
    /// Training speed of PyTorch 1.13 with in-memory batching, batch 64, 2 threads, on the 2-core reference machine, on
    /// Fashion-MNIST, and the speed-up the issue set as a goal for each model.
    /// </summary>
    public static class Training
    {
        /// <summary>The dataset the figures were measured on.</summary>
        public const string Dataset = "fashion-mnist";

        /// <summary>CPU threads PyTorch trained with.</summary>
        public const int Threads = 2;

        /// <summary>Mini-batch size PyTorch trained with.</summary>
        public const int BatchSize = 64;

        /// <summary>Training samples per second, by model.</summary>
        public static readonly IReadOnlyDictionary<string, double> SamplesPerSecond = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["mlp"] = 2500,
            ["cnn"] = 830,
        };

        /// <summary>The speed-up over PyTorch the issue set as a goal, by model.</summary>
        public static readonly IReadOnlyDictionary<string, double> SpeedUpGoal = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["mlp"] = 4,
            ["cnn"] = 2,
        };

        /// <summary>
        /// One line comparing a CPU training run with PyTorch's figure, e.g. <c>cnn fashion-mnist: 3015 samples/s =
        /// 3.63x PyTorch 1.13 (830/s; goal 2x), test accuracy 92.05%</c>; null when the run is not comparable: another
        /// model, dataset, thread count or batch size than PyTorch's.
        /// </summary>
        public static string? Compare(string model, string dataset, int threads, int batchSize, double samplesPerSecond, double testAccuracy)
        {
            if (dataset != Dataset || threads != Threads || batchSize != BatchSize || !SamplesPerSecond.TryGetValue(model, out var torch))
            {
                return null;
            }
            return string.Create(CultureInfo.InvariantCulture,
                $"{model} {dataset}: {samplesPerSecond:0} samples/s = {samplesPerSecond / torch:0.00}x PyTorch 1.13 ({torch:0}/s; goal {SpeedUpGoal[model]:0.##}x), " +
                $"test accuracy {100 * testAccuracy:0.00}%");
        }
    }
}
