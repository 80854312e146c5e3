using System.Globalization;
using Toolchain.Contracts;
using Toolchain.Inference.AspNetCore;
using Toolchain.Inference.AspNetCore.Bodies;
using Toolchain.Inference.Batching;
using Toolchain.Inference.Hosting;

namespace Toolchain.Inference.Service.Endpoints;

/// <summary>
/// POST /v1/classify: an image as the raw body (image/png, image/jpeg, image/gif, image/bmp, image/webp) or a multipart form file; answers the label,
/// its confidence, the top k (<c>?top_k=</c>, default 3) and the model version. Bad input never gets a 500.
/// </summary>
internal static partial class ClassifyEndpoint
{
    public static async Task<IResult> HandleAsync(HttpContext context, OnnxClassifier classifier, BodyBudget budget, ILoggerFactory loggers)
    {
        var cancellationToken = context.RequestAborted;
        var topK = ServiceLimits.DefaultTopK;
        if (context.Request.Query.TryGetValue("top_k", out var topKText)
            && (!int.TryParse(topKText.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out topK) || topK < 1))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad top_k",
                detail: $"top_k must be a whole number of at least 1 (got '{ClientText.Echo(topKText.ToString())}')");
        }
        var (upload, error) = await ImageUpload.ReadAsync(context.Request, budget, cancellationToken);
        if (error is not null)
        {
            return error;
        }
        Task<ClassificationResult> pending;
        using (upload)
        {
            if (upload!.Length == 0)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Empty image",
                    detail: $"{upload.Name}: is empty (0 bytes), not an image");
            }
            // Decoding happens inside this call, so the pooled bytes can go back as soon as it returns.
            pending = classifier.ClassifyImageAsync(upload.Bytes, upload.Name, cancellationToken);
        }
        try
        {
            var result = await pending;
            var top = result.TopK(topK).Select(t => new LabelProbability(t.Label, t.Probability)).ToArray();
            return Results.Json(new ClassifyResponse(result.Prediction.LabelName, result.Prediction.Confidence, top, result.Version.Id));
        }
        catch (InvalidInputFileException e)
        {
            if (e.InnerException is { } cause)
            {
                // The client gets our words; which decoder exception lay behind them is for whoever debugs a decoder.
                LogUndecodable(loggers.CreateLogger(typeof(ClassifyEndpoint)), e.Problem, cause.GetType().FullName ?? cause.GetType().Name);
            }
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Undecodable image", detail: e.Message);
        }
        catch (BatchQueueFullException e)
        {
            context.Response.Headers.RetryAfter = "1";
            return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests", detail: e.Message);
        }
        catch (ModelNotReadyException e)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Model not ready", detail: e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away; nobody reads this.
            return Results.Empty;
        }
        catch (ToolchainException e)
        {
            LogClassifyFailed(loggers.CreateLogger(typeof(ClassifyEndpoint)), e.Message);
            return Results.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "Inference failed", detail: e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Undecodable image ({Problem}) from {ExceptionType}")]
    private static partial void LogUndecodable(ILogger logger, string problem, string exceptionType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Classification failed: {Reason}")]
    private static partial void LogClassifyFailed(ILogger logger, string reason);
}
