using System.Buffers;
using System.Reflection;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime.Tensors;
using Toolchain.Inference.AspNetCore.Bodies;

namespace Toolchain.Inference.AspNetCore.Protocol;

/// <summary>
/// The REST form of the Open Inference Protocol (KServe V2) under <c>/v2</c>: server metadata, model metadata and
/// readiness, and inference with JSON or binary tensor data and the classification extension. Errors are 4xx (or
/// 503 while a model loads) with <c>{"error": "..."}</c>. (<c>/v2/health/*</c> live with the service's health checks.)
/// </summary>
internal static class RestEndpoints
{
    /// <summary>What <c>GET /v2</c> lists: the Triton extensions this server implements.</summary>
    public static readonly string[] Extensions = ["binary_tensor_data", "classification"];

    public const string ServerName = "toolchain";

    public static string ServerVersion { get; } =
        typeof(RestEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapMethods("/v2", [HttpMethods.Get, HttpMethods.Head], ServerMetadata);
        app.MapMethods("/v2/models/{name}", [HttpMethods.Get, HttpMethods.Head], ModelMetadata);
        app.MapMethods("/v2/models/{name}/versions/{version}", [HttpMethods.Get, HttpMethods.Head], ModelMetadata);
        app.MapMethods("/v2/models/{name}/ready", [HttpMethods.Get, HttpMethods.Head], ModelReady);
        app.MapMethods("/v2/models/{name}/versions/{version}/ready", [HttpMethods.Get, HttpMethods.Head], ModelReady);
        app.MapPost("/v2/models/{name}/infer", InferAsync);
        app.MapPost("/v2/models/{name}/versions/{version}/infer", InferAsync);
        // Anything else under /v2 answers in the protocol's error form rather than as problem details.
        app.Map("/v2/{**rest}", (HttpContext context) =>
            Error(StatusCodes.Status404NotFound, $"no such endpoint: {ClientText.Echo(context.Request.Method)} {ClientText.Echo(context.Request.Path.Value)}"));
    }

    private static IResult ServerMetadata() =>
        Results.Json(new { name = ServerName, version = ServerVersion, extensions = Extensions });

    private static IResult ModelMetadata(InferenceRunner runner, string name, string? version = null) => Answer(() =>
    {
        using var target = runner.Lease(name, version);
        var model = target.Lease.Model;
        var input = model.InputSpec;
        return Results.Json(new
        {
            name = target.Name,
            versions = new[] { target.Lease.Version.Id },
            platform = InferenceRunner.Platform,
            inputs = new[] { new { name = input.Name, datatype = Datatype.Of(input.ElementType), shape = InferenceRunner.MetadataShape(input, model) } },
            outputs = model.OutputSpecs.Select(o => new { name = o.Name, datatype = Datatype.Of(o.ElementType), shape = InferenceRunner.MetadataShape(o, model) }),
        });
    });

    private static IResult ModelReady(InferenceRunner runner, string name, string? version = null) => Answer(() =>
    {
        var ready = runner.IsReady(name, version);
        // The protocol's health answers are 200 for true and 4xx for false (Triton answers 400), so a not-ready model is
        // 400, not 5xx; tritonclient reads the status alone, KServe's client the body: both agree this way.
        return Results.Json(new { name, ready }, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    });

    private static IResult Answer(Func<IResult> handler)
    {
        try
        {
            return handler();
        }
        catch (ProtocolException e)
        {
            return Error(e.StatusCode, e.Message);
        }
    }

    /// <summary>The protocol's error body, <c>{"error": "..."}</c>.</summary>
    public static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);

    private static async Task<IResult> InferAsync(HttpContext context, InferenceRunner runner, string name, string? version = null)
    {
        var cancellationToken = context.RequestAborted;
        try
        {
            // One lease for the whole request: what it may hold is known before its body is read, so the body is read
            // against it, and the request is checked against and run on that same model.
            using var target = runner.Lease(name, version);
            var request = await ProtocolBody.ReadAsync(context.Request, target.Capacity, cancellationToken);
            var response = await InferenceRunner.InferAsync(target, request, cancellationToken);
            return new InferResult(response);
        }
        catch (ProtocolException e)
        {
            return Error(e.StatusCode, e.Message);
        }
        catch (BodyRefusedException e)
        {
            return Error(e.StatusCode, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Results.Empty;
        }
    }

    /// <summary>
    /// Writes an inference response: JSON, or with binary outputs the JSON followed by their bytes in output order,
    /// <c>Inference-Header-Content-Length</c> giving the JSON's length.
    /// </summary>
    private sealed class InferResult(InferResponse response) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            var json = new ArrayBufferWriter<byte>(4096);
            var binary = new List<byte[]>();
            using (var writer = new Utf8JsonWriter(json))
            {
                writer.WriteStartObject();
                writer.WriteString("model_name", response.ModelName);
                writer.WriteString("model_version", response.ModelVersion);
                if (response.Id is not null)
                {
                    writer.WriteString("id", response.Id);
                }
                writer.WriteStartArray("outputs");
                foreach (var output in response.Outputs)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", output.Name);
                    writer.WriteString("datatype", output.Datatype);
                    writer.WriteStartArray("shape");
                    foreach (var dim in output.Shape)
                    {
                        writer.WriteNumberValue(dim);
                    }
                    writer.WriteEndArray();
                    if (output.Binary)
                    {
                        var bytes = output.Raw ?? TensorBytes.EncodeStrings(output.Strings!);
                        binary.Add(bytes);
                        writer.WriteStartObject("parameters");
                        writer.WriteNumber("binary_data_size", bytes.Length);
                        writer.WriteEndObject();
                    }
                    else
                    {
                        writer.WritePropertyName("data");
                        if (output.Strings is { } strings)
                        {
                            writer.WriteStartArray();
                            foreach (var s in strings)
                            {
                                writer.WriteStringValue(s);
                            }
                            writer.WriteEndArray();
                        }
                        else
                        {
                            TensorBytes.WriteJson(writer, output.Raw, Datatype.Parse(output.Datatype) ?? TensorElementType.Float);
                        }
                    }
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            var httpResponse = context.Response;
            httpResponse.StatusCode = StatusCodes.Status200OK;
            if (binary.Count == 0)
            {
                httpResponse.ContentType = "application/json";
                httpResponse.ContentLength = json.WrittenCount;
                await httpResponse.Body.WriteAsync(json.WrittenMemory, context.RequestAborted);
                return;
            }
            httpResponse.ContentType = "application/octet-stream";
            httpResponse.Headers[RestRequestReader.HeaderLengthHeader] = json.WrittenCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
            httpResponse.ContentLength = json.WrittenCount + binary.Sum(b => (long)b.Length);
            await httpResponse.Body.WriteAsync(json.WrittenMemory, context.RequestAborted);
            foreach (var bytes in binary)
            {
                await httpResponse.Body.WriteAsync(bytes, context.RequestAborted);
            }
        }
    }
}
