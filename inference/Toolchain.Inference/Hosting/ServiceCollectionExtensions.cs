using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Toolchain.Inference.Hosting;

/// <summary>Registers the ONNX classifier with dependency injection.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="OnnxClassifier"/> configured through <see cref="OnnxClassifierOptions"/> (the
    /// options pattern: <paramref name="configure"/> runs first, then any other configuration of the options).
    /// Invalid options fail with <see cref="OptionsValidationException"/> when the classifier is first resolved.
    /// The container disposes the classifier. Its meters (<see cref="InferenceMetrics"/>) come from the container's
    /// <see cref="IMeterFactory"/> when it has one, as every .NET host does, so they belong to that host. Call
    /// <see cref="OnnxClassifier.StartAsync"/> at startup to load the model before the first request; otherwise the
    /// first request loads it.
    /// </summary>
    public static IServiceCollection AddOnnxClassifier(this IServiceCollection services, Action<OnnxClassifierOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<OnnxClassifierOptions>().Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OnnxClassifierOptions>, OnnxClassifierOptionsValidator>());
        services.TryAddSingleton(sp => new OnnxClassifier(
            sp.GetRequiredService<IOptions<OnnxClassifierOptions>>().Value,
            sp.GetService<ILoggerFactory>(),
            sp.GetService<IMeterFactory>()));
        return services;
    }
}
