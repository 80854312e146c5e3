namespace Toolchain.Inference.Service;

/// <summary>Request limits of the service.</summary>
internal static class ServiceLimits
{
    /// <summary>Largest accepted request body; larger ones get 413.</summary>
    public const long MaxBodyBytes = 5L * 1024 * 1024;

    /// <summary>Top-k entries answered when the request does not say.</summary>
    public const int DefaultTopK = 3;
}
