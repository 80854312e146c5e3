using Toolchain.Contracts;
using Toolchain.Inference.AspNetCore;
using Toolchain.Inference.Batching;
using Toolchain.Inference.Hosting;

// A minimal image classification service on the Toolchain.Inference package:
//   dotnet run -- --model path/to/model.onnx [--urls http://127.0.0.1:5080]
//   POST /classify   an encoded image as the body (PNG, JPEG, ...) -> {"label": "...", "confidence": 0.97}
//   GET  /healthz    {"status": "ok", "ready": true} once the process serves; ready says whether the model is loaded
//   /v2/...          the Open Inference Protocol (KServe V2) for tensors, the model named "classifier" (--name to change):
//                    POST /v2/models/classifier/infer, JSON or binary tensors, as tritonclient and KServe clients send
var builder = WebApplication.CreateBuilder(args);

// '--model x' on the command line and Classifier__ModelPath in the environment both end up in configuration.
var modelPath = builder.Configuration["model"] ?? builder.Configuration["Classifier:ModelPath"];
if (string.IsNullOrWhiteSpace(modelPath))
{
    Console.Error.WriteLine("OnnxClassifierService: give the model with --model path/to/model.onnx");
    return 2;
}

// A relative path means the directory the command was typed in, not the content root.
builder.Services.AddOnnxClassifier(o => o.ModelPath = Path.GetFullPath(modelPath));
// The protocol name clients use maps to the classifier's registration name ("" for the unnamed one above).
var protocolName = builder.Configuration["name"] ?? "classifier";
builder.Services.AddOpenInference(o => o.Models[protocolName] = "");

var app = builder.Build();

app.MapOpenInferenceRest();
// The protocol's health endpoints are the host's: live while the process serves, ready once the model is loaded.
app.MapGet("/v2/health/live", () => Results.Ok());
app.MapGet("/v2/health/ready", (OnnxClassifier classifier) => classifier.IsReady ? Results.Ok() : Results.StatusCode(StatusCodes.Status503ServiceUnavailable));

app.MapGet("/healthz", (OnnxClassifier classifier) => Results.Ok(new Health("ok", classifier.IsReady)));

app.MapPost("/classify", async (HttpRequest request, OnnxClassifier classifier, CancellationToken cancellationToken) =>
{
    using var body = new MemoryStream();
    await request.Body.CopyToAsync(body, cancellationToken);
    try
    {
        var result = await classifier.ClassifyImageAsync(body.ToArray(), "request body", cancellationToken);
        return Results.Ok(new Classification(result.Prediction.LabelName, result.Prediction.Confidence));
    }
    catch (InvalidInputFileException e)
    {
        return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Undecodable image", detail: e.Message);
    }
    catch (Exception e) when (e is ModelNotReadyException or BatchQueueFullException)
    {
        // Both pass: the model is still loading, or the batch queue is full. A client should retry.
        return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Try again", detail: e.Message);
    }
});

await app.RunAsync();
return 0;

/// <summary>The answer of GET /healthz.</summary>
internal sealed record Health(string Status, bool Ready);

/// <summary>The answer of POST /classify: the most probable label and its probability.</summary>
internal sealed record Classification(string Label, float Confidence);
