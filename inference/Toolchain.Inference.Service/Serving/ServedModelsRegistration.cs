using Toolchain.Inference.AspNetCore;
using Toolchain.Inference.Hosting;

namespace Toolchain.Inference.Service.Serving;

/// <summary>Registers one keyed classifier per served model, and the protocol endpoints over them by protocol name.</summary>
internal static class ServedModelsRegistration
{
    public static IServiceCollection AddServedModels(this IServiceCollection services, IConfiguration configuration, ServedModels models)
    {
        foreach (var model in models.All)
        {
            services.AddOnnxClassifier(model.Key, options =>
            {
                // The Classifier section holds every model's defaults; Models:{name} overrides them for that model.
                configuration.GetSection("Classifier").Bind(options);
                if (model.Section is { } section)
                {
                    configuration.GetSection(section).Bind(options);
                }
                options.ModelPath = model.Path;
                // --model's file serves /v1/classify, which takes pictures: one that cannot must never serve. Models
                // named in configuration serve tensors, whatever their input.
                options.RequireImageInput = model.Section is null || options.RequireImageInput;
            });
        }
        services.AddSingleton(models);
        services.AddOpenInference(options =>
        {
            foreach (var model in models.All)
            {
                options.Models[model.Name] = model.Key;
            }
            // gRPC's ServerReady answers as /v2/health/ready does: every model loaded and not shutting down.
            options.ReadinessTag = ServiceHealth.ReadinessTag;
        });
        return services;
    }
}
