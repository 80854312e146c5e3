namespace Toolchain.Inference.Service;

/// <summary>Request limits of the service.</summary>
internal static class ServiceLimits
{
    /// <summary>Largest accepted request body; larger ones get 413.</summary>
    public const long MaxBodyBytes = 5L * 1024 * 1024;

    /// <summary>
    /// Kestrel's hard cap. Bodies between <see cref="MaxBodyBytes"/> and this are read and thrown away before the 413
    /// goes out, because clients that send the whole body before reading (most, unless they use Expect: 100-continue)
    /// would otherwise see a reset connection instead of the answer.
    /// </summary>
    public const long DrainLimitBytes = 64L * 1024 * 1024;

    /// <summary>Top-k entries answered when the request does not say.</summary>
    public const int DefaultTopK = 3;
}
