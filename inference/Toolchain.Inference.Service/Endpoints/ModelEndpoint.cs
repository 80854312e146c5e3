using Toolchain.Inference.Hosting;

namespace Toolchain.Inference.Service.Endpoints;

/// <summary>GET /v1/model: the serving model's card, version, provider and the service's batching and reload state.</summary>
internal static class ModelEndpoint
{
    public static IResult Handle(OnnxClassifier classifier)
    {
        ModelLease lease;
        try
        {
            lease = classifier.Models.Acquire();
        }
        catch (ModelNotReadyException e)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Model not ready", detail: e.Message);
        }
        using (lease)
        {
            var info = lease.Model.Info;
            var batching = classifier.Options.Batching;
            return Results.Json(new
            {
                ModelVersion = lease.Version.Id,
                Sha256 = lease.Version.Sha256,
                LoadedAt = lease.Version.LoadedAt,
                Generation = lease.Version.Generation,
                Path = classifier.Models.ModelPath,
                Provider = lease.Model.ActiveProvider,
                IntraOpThreads = classifier.Options.ThreadsFor(Environment.ProcessorCount),
                Preprocessing = lease.Images?.Preprocessor.Mode,
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
                Card = info.Card is { } card ? card with { Reference = null } : null,
                Integrity = new
                {
                    Status = info.Integrity.StatusText,
                    info.Integrity.Detail,
                    Reference = info.Card?.Reference?.Describe(),
                },
                Batching = new
                {
                    batching.Enabled,
                    batching.MaxBatchSize,
                    batching.MaxQueueDelayMicroseconds,
                    batching.QueueCapacity,
                    batching.Instances,
                },
                Reloads = classifier.Models.ReloadCount,
                FailedReloads = classifier.Models.FailedReloadCount,
            });
        }
    }
}
