using Toolchain.Inference.Hosting;

namespace Toolchain.Inference.Service.Endpoints;

/// <summary>GET /v1/model: the serving model's card, version, provider and the service's batching and reload state.</summary>
internal static class ModelEndpoint
{
    public static IResult Handle(OnnxClassifier classifier)
    {
        var status = classifier.GetStatus();
        if (status is not { Version: { } version, Model: { } info })
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Model not ready",
                detail: $"no model is loaded yet: {status.LastFailure ?? $"{status.ModelPath} is still loading"}");
        }
        var batching = status.Batching;
        return Results.Json(new
        {
            ModelVersion = version.Id,
            Sha256 = version.Sha256,
            LoadedAt = version.LoadedAt,
            Generation = version.Generation,
            Path = status.ModelPath,
            status.Provider,
            status.IntraOpThreads,
            Preprocessing = status.Preprocessor?.Mode,
            Info = new
            {
                info.Task,
                info.Labels,
                info.InputName,
                info.InputShape,
                info.ElementType,
                info.OutputName,
                info.Mean,
                info.Std,
                info.Opset,
                info.Producer,
                info.Inputs,
                info.Outputs,
            },
            // The reference examples are kilobytes of numbers for the loader's check; Integrity describes them instead.
            Card = info.IsForeign ? null : info.Card with { Reference = null },
            Integrity = new
            {
                Status = info.Integrity.StatusText,
                info.Integrity.Detail,
                Reference = info.Card.Reference?.Describe(),
            },
            Batching = new
            {
                batching.Enabled,
                batching.MaxBatchSize,
                batching.MaxQueueDelayMicroseconds,
                batching.QueueCapacity,
                batching.Instances,
            },
            Reloads = status.ReloadCount,
            FailedReloads = status.FailedReloadCount,
        });
    }
}
