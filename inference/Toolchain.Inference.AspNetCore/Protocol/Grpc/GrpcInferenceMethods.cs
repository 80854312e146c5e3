using System.Reflection;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Inference;

namespace Toolchain.Inference.AspNetCore.Protocol.Grpc;

/// <summary>
/// Binds the protocol's methods (as the generated <see cref="GRPCInferenceService.BindService(ServiceBinderBase, GRPCInferenceService.GRPCInferenceServiceBase)"/>
/// lists them) to <see cref="GrpcInferenceEndpoint"/>'s methods of the same names, with request marshallers that answer
/// a message which does not parse (invalid UTF-8 in a string field, a truncated field, a bad varint, groups nested past
/// protobuf's recursion limit) with InvalidArgument and one line, where the generated ones let the parser's exception
/// out of the call as Unknown "Exception was thrown by handler." with a stack trace in the log.
/// </summary>
internal sealed class GrpcInferenceMethods : IServiceMethodProvider<GrpcInferenceEndpoint>
{
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<GrpcInferenceEndpoint> context) =>
        GRPCInferenceService.BindService(new Binder(context), serviceImpl: null!);

    /// <summary>Wraps <paramref name="marshaller"/>'s deserializer so that any failure to parse is InvalidArgument.</summary>
    internal static Marshaller<T> Strict<T>(Marshaller<T> marshaller) => new(marshaller.ContextualSerializer, context =>
    {
        try
        {
            return marshaller.ContextualDeserializer(context);
        }
        catch (Exception e) when (e is not (OutOfMemoryException or RpcException or OperationCanceledException))
        {
            var reason = e.Message.Split('\n', 2)[0].Trim();
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"the request is not a valid {typeof(T).Name} message: {ClientText.Echo(reason)}"));
        }
    });

    private sealed class Binder(ServiceMethodProviderContext<GrpcInferenceEndpoint> context) : ServiceBinderBase
    {
        // As Grpc.AspNetCore's own binding: POST only; CORS preflights reach the CORS middleware.
        private static readonly object[] Metadata = [new HttpMethodMetadata([HttpMethods.Post], acceptCorsPreflight: true)];

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            var target = typeof(GrpcInferenceEndpoint).GetMethod(method.Name, BindingFlags.Public | BindingFlags.Instance, [typeof(TRequest), typeof(ServerCallContext)])
                ?? throw new InvalidOperationException($"{nameof(GrpcInferenceEndpoint)} has no method {method.Name}({typeof(TRequest).Name}, ServerCallContext)");
            var invoker = target.CreateDelegate<UnaryServerMethod<GrpcInferenceEndpoint, TRequest, TResponse>>();
            var strict = new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, Strict(method.RequestMarshaller), method.ResponseMarshaller);
            context.AddUnaryMethod(strict, Metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
            throw new NotSupportedException($"{method.FullName}: only unary methods are served");

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
            throw new NotSupportedException($"{method.FullName}: only unary methods are served");

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
            throw new NotSupportedException($"{method.FullName}: only unary methods are served");
    }
}
