namespace Toolchain.Inference.Cli.Benchmarking;

/// <summary>
/// The same CNN in PyTorch 1.13 eager (Debian python3-torch, no_grad, 2 threads) on 10k test images, as measured for
/// issue 5 on a quiet machine. These are recorded figures: <c>make bench</c> never runs PyTorch.
/// </summary>
internal static class PyTorchReference
{
    public const string Source = "PyTorch 1.13 eager (Debian python3-torch), no_grad, 2 threads, 10k MNIST test images; figures recorded in issue 5";

    /// <summary>Images per second by batch size.</summary>
    public static readonly IReadOnlyDictionary<int, double> ImagesPerSecond = new Dictionary<int, double>
    {
        [64] = 2360,
        [1000] = 1670,
    };

    /// <summary>Intra-op threads PyTorch ran with.</summary>
    public const int Threads = 2;

    /// <summary>Single-image in-process latency range, milliseconds.</summary>
    public const double SingleImageMinMs = 2.4;
    public const double SingleImageMaxMs = 4.3;

    /// <summary>Targets set by the issue.</summary>
    public const double ThroughputFactorTarget = 5;
    public const int ThroughputTargetBatch = 1000;
    public const double SingleImageTargetMs = 0.5;
    public const double WholeProcessTargetSeconds = 0.5;
}
