namespace Toolchain.Inference.Service;

/// <summary>Request limits of the service's own endpoints (body limits: <see cref="AspNetCore.BodyLimits"/>).</summary>
internal static class ServiceLimits
{
    /// <summary>Top-k entries answered when the request does not say.</summary>
    public const int DefaultTopK = 3;
}
