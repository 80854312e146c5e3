using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Google.Protobuf.Collections;
using Grpc.Core;
using Inference;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Toolchain.Inference.AspNetCore.Protocol.Grpc;

/// <summary>
/// The gRPC form of the Open Inference Protocol (<c>inference.GRPCInferenceService</c> from our
/// inference_protocol.proto), on the same models and checks as the REST form. Tensors come as typed
/// <c>contents</c> or as <c>raw_input_contents</c>; a request that sends raw inputs gets <c>raw_output_contents</c>
/// back, as Triton answers, and one with typed contents gets typed contents. Refusals map to gRPC status codes:
/// InvalidArgument (the REST 400s), NotFound, Unavailable, ResourceExhausted. Its methods are bound by
/// <see cref="GrpcInferenceMethods"/>, which also makes a message that does not parse an InvalidArgument.
/// </summary>
internal sealed class GrpcInferenceEndpoint(InferenceRunner runner)
{
    /// <summary>Live while the process answers, as REST's /v2/health/live.</summary>
    public Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    /// <summary>Ready as <see cref="OpenInferenceOptions.ReadinessTag"/> says: the host's readiness checks, or every served model loaded.</summary>
    public async Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        new() { Ready = await runner.IsServerReadyAsync(context.CancellationToken) };

    public Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context)
    {
        var response = new ServerMetadataResponse { Name = RestEndpoints.ServerName, Version = RestEndpoints.ServerVersion };
        response.Extensions.AddRange(RestEndpoints.Extensions);
        return Task.FromResult(response);
    }

    /// <summary>As REST's /v2/models/{name}[/versions/{version}]/ready; an unknown model or version is NotFound (REST's 404).</summary>
    public Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context) =>
        Task.FromResult(Call(() => new ModelReadyResponse { Ready = runner.IsReady(request.Name, request.Version) }));

    public Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context) => Task.FromResult(Call(() =>
    {
        using var target = runner.Lease(request.Name, request.Version);
        var model = target.Lease.Model;
        var response = new ModelMetadataResponse { Name = target.Name, Platform = InferenceRunner.Platform };
        response.Versions.Add(target.Lease.Version.Id);
        response.Inputs.Add(Tensor(model.InputSpec, model));
        response.Outputs.AddRange(model.OutputSpecs.Select(o => Tensor(o, model)));
        return response;
    }));

    public async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        try
        {
            // One lease for the whole request, as over REST.
            using var target = runner.Lease(request.ModelName, request.ModelVersion);
            var raw = request.RawInputContents.Count > 0;
            var response = await InferenceRunner.InferAsync(target, ToInferRequest(request, target.Capacity), context.CancellationToken);
            return ToGrpc(response, raw);
        }
        catch (ProtocolException e)
        {
            throw ToRpc(e);
        }
    }

    private static T Call<T>(Func<T> handler)
    {
        try
        {
            return handler();
        }
        catch (ProtocolException e)
        {
            throw ToRpc(e);
        }
    }

    private static RpcException ToRpc(ProtocolException e) => new(new Status(e.StatusCode switch
    {
        StatusCodes.Status404NotFound => StatusCode.NotFound,
        StatusCodes.Status503ServiceUnavailable => StatusCode.Unavailable,
        StatusCodes.Status429TooManyRequests or StatusCodes.Status413PayloadTooLarge => StatusCode.ResourceExhausted,
        >= 500 => StatusCode.Internal,
        _ => StatusCode.InvalidArgument,
    }, e.Message));

    private static ModelMetadataResponse.Types.TensorMetadata Tensor(Toolchain.Inference.Runtime.TensorSpec spec, Toolchain.Inference.Runtime.OnnxModel model)
    {
        var tensor = new ModelMetadataResponse.Types.TensorMetadata { Name = spec.Name, Datatype = Datatype.Of(spec.ElementType) };
        tensor.Shape.AddRange(InferenceRunner.MetadataShape(spec, model));
        return tensor;
    }

    private static InferRequest ToInferRequest(ModelInferRequest request, RequestCapacity capacity)
    {
        if (request.Id.Length > ClientText.MaxEcho)
        {
            // Echoed whole or not at all, as over REST.
            throw ProtocolException.BadRequest($"id is {request.Id.Length} characters long; at most {ClientText.MaxEcho} are echoed");
        }
        var raw = request.RawInputContents;
        if (raw.Count > 0 && raw.Count != request.Inputs.Count)
        {
            throw ProtocolException.BadRequest($"raw_input_contents holds {raw.Count} tensors for {request.Inputs.Count} inputs");
        }
        var inputs = new List<InferInput>();
        var elementsLeft = capacity.MaxElements;
        for (var i = 0; i < request.Inputs.Count; i++)
        {
            var input = request.Inputs[i];
            var type = InferenceRunner.ElementTypeOf(input.Name, input.Datatype);
            var size = Toolchain.Inference.Runtime.TensorSpec.SizeOf(type);
            if (input.Shape.Any(d => d < 0))
            {
                throw ProtocolException.BadRequest($"input '{ClientText.Echo(input.Name)}': shape {ClientText.Shape(input.Shape)} must hold non-negative whole numbers");
            }
            if (raw.Count > 0)
            {
                if (input.Contents is not null && HasContents(input.Contents))
                {
                    throw ProtocolException.BadRequest($"input '{ClientText.Echo(input.Name)}' has both contents and raw_input_contents; send one");
                }
                var bytes = raw[i].Memory;
                if (bytes.Length % size != 0)
                {
                    throw ProtocolException.BadRequest(
                        $"input '{ClientText.Echo(input.Name)}': raw_input_contents of {bytes.Length} bytes is not a whole number of {input.Datatype} elements ({size} bytes each)");
                }
                inputs.Add(new InferInput(input.Name, input.Datatype, input.Shape.ToArray(), bytes, bytes.Length / size));
            }
            else
            {
                var contents = input.Contents ?? new InferTensorContents();
                // Counted before anything is copied: a message of millions of values for a small input is refused as it is.
                var count = Count(contents);
                if (count > elementsLeft)
                {
                    throw ProtocolException.BadRequest(
                        $"input '{ClientText.Echo(input.Name)}': the request's contents hold more than {capacity.MaxElements} elements, the most model '{capacity.Model}' takes ({capacity.MaxRows} rows of {capacity.RowElements})");
                }
                elementsLeft -= count;
                var data = FromContents(contents, type, input.Name);
                inputs.Add(new InferInput(input.Name, input.Datatype, input.Shape.ToArray(), data, data.Length / size));
            }
        }
        var outputs = request.Outputs.Select(o => new RequestedOutput(o.Name, null, Classification(o))).ToArray();
        return new InferRequest { Id = request.Id.Length > 0 ? request.Id : null, Inputs = inputs, Outputs = outputs };
    }

    private static int? Classification(ModelInferRequest.Types.InferRequestedOutputTensor output)
    {
        if (!output.Parameters.TryGetValue("classification", out var parameter))
        {
            return null;
        }
        return parameter.ParameterChoiceCase switch
        {
            InferParameter.ParameterChoiceOneofCase.Int64Param when parameter.Int64Param is >= int.MinValue and <= int.MaxValue => (int)parameter.Int64Param,
            InferParameter.ParameterChoiceOneofCase.Uint64Param when parameter.Uint64Param <= int.MaxValue => (int)parameter.Uint64Param,
            _ => throw ProtocolException.BadRequest($"output '{ClientText.Echo(output.Name)}': classification must be an int64_param"),
        };
    }

    private static bool HasContents(InferTensorContents c) => Count(c) > 0;

    private static long Count(InferTensorContents c) =>
        (long)c.BoolContents.Count + c.IntContents.Count + c.Int64Contents.Count + c.UintContents.Count + c.Uint64Contents.Count
        + c.Fp32Contents.Count + c.Fp64Contents.Count + c.BytesContents.Count;

    /// <summary>Typed contents as little-endian bytes of <paramref name="type"/>; values out of the type's range are refused.</summary>
    private static byte[] FromContents(InferTensorContents contents, TensorElementType type, string name)
    {
        ProtocolException OutOfRange(int index) => ProtocolException.BadRequest($"input '{ClientText.Echo(name)}': element {index} is out of the range of {Datatype.Of(type)}");
        switch (type)
        {
            case TensorElementType.Float:
                return Bytes(contents.Fp32Contents);
            case TensorElementType.Double:
                return Bytes(contents.Fp64Contents);
            case TensorElementType.Bool:
                return contents.BoolContents.Select(b => b ? (byte)1 : (byte)0).ToArray();
            case TensorElementType.Int64:
                return Bytes(contents.Int64Contents);
            case TensorElementType.UInt64:
                return Bytes(contents.Uint64Contents);
            case TensorElementType.Int32:
                return Bytes(contents.IntContents);
            case TensorElementType.UInt32:
                return Bytes(contents.UintContents);
            case TensorElementType.UInt8:
                {
                    var values = contents.UintContents;
                    var bytes = new byte[values.Count];
                    for (var i = 0; i < bytes.Length; i++)
                    {
                        bytes[i] = values[i] <= byte.MaxValue ? (byte)values[i] : throw OutOfRange(i);
                    }
                    return bytes;
                }
            case TensorElementType.Int8:
                {
                    var values = contents.IntContents;
                    var bytes = new byte[values.Count];
                    for (var i = 0; i < bytes.Length; i++)
                    {
                        bytes[i] = values[i] is >= sbyte.MinValue and <= sbyte.MaxValue ? (byte)(sbyte)values[i] : throw OutOfRange(i);
                    }
                    return bytes;
                }
            case TensorElementType.UInt16:
                {
                    var values = contents.UintContents;
                    var bytes = new byte[values.Count * 2];
                    for (var i = 0; i < values.Count; i++)
                    {
                        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), values[i] <= ushort.MaxValue ? (ushort)values[i] : throw OutOfRange(i));
                    }
                    return bytes;
                }
            case TensorElementType.Int16:
                {
                    var values = contents.IntContents;
                    var bytes = new byte[values.Count * 2];
                    for (var i = 0; i < values.Count; i++)
                    {
                        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * 2), values[i] is >= short.MinValue and <= short.MaxValue ? (short)values[i] : throw OutOfRange(i));
                    }
                    return bytes;
                }
            default:
                throw ProtocolException.BadRequest($"input '{ClientText.Echo(name)}': {Datatype.Of(type)} cannot be sent as contents; use raw_input_contents");
        }
    }

    /// <summary>The values' little-endian bytes, copied once.</summary>
    private static byte[] Bytes<T>(RepeatedField<T> values)
        where T : unmanaged
    {
        var bytes = new byte[values.Count * Unsafe.SizeOf<T>()];
        var typed = MemoryMarshal.Cast<byte, T>(bytes.AsSpan());
        for (var i = 0; i < typed.Length; i++)
        {
            typed[i] = values[i];
        }
        return bytes;
    }

    private static ModelInferResponse ToGrpc(InferResponse response, bool raw)
    {
        var result = new ModelInferResponse { ModelName = response.ModelName, ModelVersion = response.ModelVersion, Id = response.Id ?? "" };
        foreach (var output in response.Outputs)
        {
            var tensor = new ModelInferResponse.Types.InferOutputTensor { Name = output.Name, Datatype = output.Datatype };
            tensor.Shape.AddRange(output.Shape);
            if (raw)
            {
                result.RawOutputContents.Add(UnsafeByteOperations.UnsafeWrap(output.Raw ?? TensorBytes.EncodeStrings(output.Strings!)));
            }
            else
            {
                tensor.Contents = ToContents(output);
            }
            result.Outputs.Add(tensor);
        }
        return result;
    }

    private static InferTensorContents ToContents(InferOutput output)
    {
        var contents = new InferTensorContents();
        if (output.Strings is { } strings)
        {
            contents.BytesContents.AddRange(strings.Select(ByteString.CopyFromUtf8));
            return contents;
        }
        var raw = output.Raw!;
        switch (Datatype.Parse(output.Datatype))
        {
            case TensorElementType.Float:
                contents.Fp32Contents.AddRange(MemoryMarshal.Cast<byte, float>(raw).ToArray());
                break;
            case TensorElementType.Double:
                contents.Fp64Contents.AddRange(MemoryMarshal.Cast<byte, double>(raw).ToArray());
                break;
            case TensorElementType.Int64:
                contents.Int64Contents.AddRange(MemoryMarshal.Cast<byte, long>(raw).ToArray());
                break;
            case TensorElementType.Int32:
                contents.IntContents.AddRange(MemoryMarshal.Cast<byte, int>(raw).ToArray());
                break;
            case TensorElementType.Bool:
                contents.BoolContents.AddRange(raw.Select(b => b != 0));
                break;
            case TensorElementType.UInt8:
                contents.UintContents.AddRange(raw.Select(b => (uint)b));
                break;
            default:
                throw new ProtocolException(StatusCodes.Status500InternalServerError, $"output '{output.Name}' of type {output.Datatype} cannot be sent as contents");
        }
        return contents;
    }
}
