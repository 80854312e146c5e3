namespace Toolchain.Inference.AspNetCore;

/// <summary>How large a request body may be, for every endpoint of this package and the hosts that read bodies with <see cref="Bodies.RequestBody"/>.</summary>
public static class BodyLimits
{
    /// <summary>Largest accepted request body, after decoding gzip or deflate; larger ones get 413.</summary>
    public const long MaxBodyBytes = 5L * 1024 * 1024;

    /// <summary>
    /// What to give Kestrel as its hard cap (<c>KestrelServerLimits.MaxRequestBodySize</c>). Bodies between
    /// <see cref="MaxBodyBytes"/> and this are read and thrown away before the 413 goes out, because clients that send
    /// the whole body before reading (most, unless they use Expect: 100-continue) would otherwise see a reset connection
    /// instead of the answer.
    /// </summary>
    public const long DrainLimitBytes = 64L * 1024 * 1024;
}
