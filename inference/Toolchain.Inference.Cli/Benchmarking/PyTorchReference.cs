namespace Toolchain.Inference.Cli.Benchmarking;

/// <summary>
/// The recorded PyTorch inference figures <c>infer bench</c> compares itself with: the same CNN in PyTorch 1.13 eager
/// (Debian python3-torch, no_grad, 2 threads) on 10k test images, as measured for issue 5 on a quiet machine. These are
/// recorded figures: <c>make bench</c> never runs PyTorch. (The training figures are the trainer's
/// PyTorchTrainingReference, keyed by its built-in models.)
/// </summary>
internal static class PyTorchReference
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
