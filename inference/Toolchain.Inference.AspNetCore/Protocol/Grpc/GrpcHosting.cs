using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Inference;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Toolchain.Inference.AspNetCore.Protocol.Grpc;

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
    public static void Add(WebApplicationBuilder builder, string httpUrls)
    {
        builder.Services.AddGrpc(options =>
        {
            // The same body limit as REST: a tensor request over it is refused, not read.
            options.MaxReceiveMessageSize = (int)BodyLimits.MaxBodyBytes;
            options.MaxSendMessageSize = null;
            // Without it gRPC maps a catch-all /{service}/{method} route that turns the REST paths' 405s into 404s;
            // UnimplementedGrpc answers unknown gRPC methods instead.
            options.IgnoreUnknownServices = true;
        });
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<GrpcInferenceEndpoint>, GrpcInferenceMethods>());
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

    public static void Map(IEndpointRouteBuilder app) => app.MapGrpcService<GrpcInferenceEndpoint>();

    /// <summary>
    /// A gRPC call (POST, content-type application/grpc) that no endpoint took, such as ModelConfig, ModelStreamInfer
    /// or another service: the protocol's UNIMPLEMENTED (status 12) as a trailers-only response, where routing would
    /// answer an HTTP 404 with problem details that clients cannot read as a gRPC status.
    /// </summary>
    public static void UseUnimplemented(IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.GetEndpoint() is not null || !HttpMethods.IsPost(context.Request.Method) || !IsGrpc(context.Request.ContentType))
        {
            return next(context);
        }
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        // Trailers-only: the status goes in the headers of a response without a body (gRPC over HTTP/2 spec).
        response.Headers["grpc-status"] = ((int)StatusCode.Unimplemented).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString($"{ClientText.Echo(context.Request.Path.Value)} is not a method of this server");
        return Task.CompletedTask;
    });

    private static bool IsGrpc(string? contentType) =>
        contentType is not null && (contentType.Equals("application/grpc", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("application/grpc+", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("application/grpc;", StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<string> Split(string urls) =>
        urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
