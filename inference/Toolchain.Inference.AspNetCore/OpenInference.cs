using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Toolchain.Inference.AspNetCore.Protocol;
using Toolchain.Inference.AspNetCore.Protocol.Grpc;

namespace Toolchain.Inference.AspNetCore;

/// <summary>
/// The Open Inference Protocol (KServe V2, as Triton and KServe speak it) over the classifiers a host registered with
/// AddOnnxClassifier: REST under <c>/v2</c> (server and model metadata, model readiness, inference with JSON or binary
/// tensors and the classification extension) and the gRPC form (<c>inference.GRPCInferenceService</c>). Every request
/// is read within <see cref="BodyLimits.MaxBodyBytes"/> against the model it names, holds one lease of that model
/// (<see cref="Hosting.OnnxClassifier.AcquireModel"/>) until it is answered, and runs through the model's batcher.
/// Refusals are 4xx with <c>{"error": "..."}</c> (gRPC status codes on gRPC), never a 500.
/// </summary>
/// <example>
/// <code>
/// builder.Services.AddOnnxClassifier("digits", o => o.ModelPath = "model.onnx");
/// builder.Services.AddOpenInference(o => o.Models["digits"] = "digits");
/// var app = builder.Build();
/// app.MapOpenInferenceRest();
/// </code>
/// </example>
public static class OpenInference
{
    /// <summary>The configuration key of the gRPC form's URLs (<c>--grpc-urls http://127.0.0.1:5001</c>), HTTP/2 only.</summary>
    public const string GrpcUrlsKey = GrpcHosting.UrlsKey;

    /// <summary>Registers what the endpoints need, with <paramref name="configure"/> naming the models served.</summary>
    public static IServiceCollection AddOpenInference(this IServiceCollection services, Action<OpenInferenceOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<OpenInferenceOptions>().Configure(configure);
        services.TryAddSingleton<InferenceRunner>();
        return services;
    }

    /// <summary>
    /// Maps the REST form under <c>/v2</c>; anything else under <c>/v2</c> answers 404 in the protocol's error form.
    /// The health endpoints (<c>/v2/health/live</c>, <c>/v2/health/ready</c>) are the host's, on its own checks.
    /// </summary>
    public static IEndpointRouteBuilder MapOpenInferenceRest(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        RestEndpoints.Map(endpoints);
        return endpoints;
    }

    /// <summary>
    /// Registers the gRPC form and, when configuration has <see cref="GrpcUrlsKey"/>, listens there with HTTP/2 only,
    /// beside <paramref name="httpUrls"/> (the host's own URLs, which Kestrel ignores once endpoints are configured).
    /// </summary>
    public static WebApplicationBuilder AddOpenInferenceGrpc(this WebApplicationBuilder builder, string httpUrls)
    {
        ArgumentNullException.ThrowIfNull(builder);
        GrpcHosting.Add(builder, httpUrls);
        return builder;
    }

    /// <summary>Maps the gRPC form (after <see cref="AddOpenInferenceGrpc"/>).</summary>
    public static IEndpointRouteBuilder MapOpenInferenceGrpc(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        GrpcHosting.Map(endpoints);
        return endpoints;
    }

    /// <summary>
    /// Answers a gRPC call that no endpoint took (ModelConfig, a streaming method, another service) with the protocol's
    /// UNIMPLEMENTED, where routing would answer an HTTP 404 that gRPC clients cannot read. Put it after routing.
    /// </summary>
    public static IApplicationBuilder UseUnimplementedGrpc(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        GrpcHosting.UseUnimplemented(app);
        return app;
    }
}
