namespace Toolchain.Inference.Service.Protocol.Grpc;

/// <summary>
/// Serves the gRPC form of the protocol on its own HTTP/2 (cleartext, prior knowledge) port when <c>grpc-urls</c>
/// (<c>--grpc-urls http://127.0.0.1:5001</c>) is configured, beside the HTTP/1.1 port(s) of <c>urls</c>.
/// </summary>
internal static class GrpcHosting
{
    public const string UrlsKey = "grpc-urls";

    /// <summary>
    /// Registers gRPC and, with <c>grpc-urls</c> set, turns <paramref name="httpUrls"/> and the gRPC URLs into Kestrel
    /// endpoints: <c>urls</c> alone cannot say that one port speaks HTTP/2 only, and Kestrel ignores it once endpoints
    /// are configured, so both are given as endpoints.
    /// </summary>
    public static void AddOpenInferenceGrpc(this WebApplicationBuilder builder, string httpUrls)
    {
        builder.Services.AddGrpc(options =>
        {
            // The same body limit as REST: a tensor request over it is refused, not read.
            options.MaxReceiveMessageSize = (int)ServiceLimits.MaxBodyBytes;
            options.MaxSendMessageSize = null;
            // Without it gRPC maps a catch-all /{service}/{method} route that turns the REST paths' 405s into 404s.
            options.IgnoreUnknownServices = true;
        });
        if (builder.Configuration[UrlsKey] is not { Length: > 0 } grpcUrls)
        {
            return;
        }
        var endpoints = new Dictionary<string, string?>();
        var i = 0;
        foreach (var url in Split(httpUrls))
        {
            endpoints[$"Kestrel:Endpoints:Http{i}:Url"] = url;
            endpoints[$"Kestrel:Endpoints:Http{i++}:Protocols"] = "Http1";
        }
        i = 0;
        foreach (var url in Split(grpcUrls))
        {
            endpoints[$"Kestrel:Endpoints:Grpc{i}:Url"] = url;
            endpoints[$"Kestrel:Endpoints:Grpc{i++}:Protocols"] = "Http2";
        }
        builder.Configuration.AddInMemoryCollection(endpoints);
    }

    public static void MapOpenInferenceGrpc(this WebApplication app) => app.MapGrpcService<GrpcInferenceEndpoint>();

    private static IEnumerable<string> Split(string urls) =>
        urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
