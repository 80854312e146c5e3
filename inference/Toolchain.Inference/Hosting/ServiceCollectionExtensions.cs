using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Hosting;

/// <summary>Registers ONNX classifiers with dependency injection, one per name.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers the default <see cref="OnnxClassifier"/> (named <see cref="Options.DefaultName"/>), resolvable as a
    /// plain <see cref="OnnxClassifier"/> and as the keyed service of that name; see
    /// <see cref="AddOnnxClassifier(IServiceCollection, string, Action{OnnxClassifierOptions})"/>.
    /// </summary>
    public static IServiceCollection AddOnnxClassifier(this IServiceCollection services, Action<OnnxClassifierOptions> configure) =>
        services.AddOnnxClassifier(Options.DefaultName, configure);

    /// <summary>
    /// Registers a singleton <see cref="OnnxClassifier"/> as the keyed service <paramref name="name"/> (resolve it with
    /// <c>[FromKeyedServices("name")]</c> or <c>GetRequiredKeyedService&lt;OnnxClassifier&gt;("name")</c>), configured
    /// through the named options <paramref name="name"/> of <see cref="OnnxClassifierOptions"/> (the options pattern:
    /// <paramref name="configure"/> runs first, then any other configuration of that name). Each name gets its own
    /// model, hot reload and batching. Invalid options fail with <see cref="OptionsValidationException"/> when the
    /// classifier is first resolved. A second registration of the same name throws
    /// <see cref="InvalidOperationException"/>: two configurations silently merged into one model would serve the wrong
    /// one. The container disposes the classifier. Its meters (<see cref="InferenceMetrics"/>) come from the container's
    /// <see cref="IMeterFactory"/> when it has one, as every .NET host does, so they belong to that host; a named
    /// classifier's measurements carry its name in <see cref="InferenceMetrics.ModelNameTag"/>. Its batching delays and
    /// reload timers run on the container's <see cref="TimeProvider"/> when it has one, else on the system's. ONNX
    /// Runtime's own log lines go to the container's <see cref="ILoggerFactory"/> (category <c>OnnxRuntime</c>, Debug).
    /// <para>
    /// In a .NET host the first call also registers one <see cref="IHostedService"/> for every name: when the host
    /// starts it starts each classifier's first load in the background without holding up start-up (so
    /// <see cref="OnnxClassifier.IsReady"/> turns true once the model is in, and requests before that get
    /// <see cref="ModelNotReadyException"/>); when the host stops it stops watching the model files, and once every
    /// hosted service has stopped it disposes the classifiers. Without a host, call <see cref="OnnxClassifier.StartAsync"/>.
    /// </para>
    /// </summary>
    public static IServiceCollection AddOnnxClassifier(this IServiceCollection services, string name, Action<OnnxClassifierOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configure);
        if (services.Any(d => d.ServiceType == typeof(OnnxClassifier) && (d.IsKeyedService ? Equals(d.ServiceKey, name) : name == Options.DefaultName)))
        {
            throw new InvalidOperationException(name == Options.DefaultName
                ? "the default OnnxClassifier is already registered; give each further classifier a name of its own"
                : $"an OnnxClassifier named '{name}' is already registered; give each classifier a name of its own");
        }
        services.AddOptions<OnnxClassifierOptions>(name).Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OnnxClassifierOptions>, OnnxClassifierOptionsValidator>());
        services.AddSingleton(new ClassifierRegistration(name));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ClassifierStartup>());
        services.AddKeyedSingleton(name, (sp, _) =>
        {
            var loggerFactory = sp.GetService<ILoggerFactory>();
            if (loggerFactory is not null)
            {
                // ONNX Runtime's own lines go to the host's logging (Debug, category OnnxRuntime) rather than to stderr.
                OrtProcessLogging.RouteTo(loggerFactory);
            }
            return new OnnxClassifier(
                sp.GetRequiredService<IOptionsMonitor<OnnxClassifierOptions>>().Get(name),
                loggerFactory,
                sp.GetService<IMeterFactory>(),
                name,
                sp.GetService<TimeProvider>());
        });
        if (name == Options.DefaultName)
        {
            // Callers that know of one model only ask for a plain OnnxClassifier, as before names existed.
            services.AddSingleton(sp => sp.GetRequiredKeyedService<OnnxClassifier>(Options.DefaultName));
        }
        return services;
    }
}
