namespace Toolchain.Inference.Service;

/// <summary>
/// Where the service listens and finds its models inside the container image (Dockerfile) and the deploy/ recipes;
/// the tests in Deploy/ hold those files to these values.
/// </summary>
internal static class ContainerDefaults
{
    /// <summary>The HTTP port inside the container (ASPNETCORE_URLS=http://+:8080, EXPOSE 8080, containerPort).</summary>
    public const int HttpPort = 8080;

    /// <summary>Where the model repository is mounted or baked in.</summary>
    public const string ModelRepository = "/models";
}
