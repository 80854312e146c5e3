using Microsoft.Extensions.Options;

namespace Toolchain.Inference.Service.Lifecycle;

/// <summary>Registers <see cref="ShutdownDrain"/> with its options and the host's shutdown timeout to match.</summary>
internal static class ShutdownRegistration
{
    public static IServiceCollection AddShutdownDrain(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ShutdownOptions>()
            .Bind(configuration.GetSection(ShutdownOptions.Section))
            .Validate(o => o.Problem() is null, "Shutdown:Drain and Shutdown:RequestTimeout must not be negative")
            .ValidateOnStart();
        services.AddSingleton<ShutdownDrain>();
        services.AddHostedService(sp => sp.GetRequiredService<ShutdownDrain>());
        // The host's timeout covers the whole stop, drain included; Kestrel aborts what is left when it runs out.
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) => host.ShutdownTimeout = shutdown.Value.Total);
        return services;
    }

    /// <summary>
    /// While draining, every answer asks the client to close its connection, so keep-alive clients (a load balancer's
    /// pooled connections) open their next one elsewhere instead of finding this one closed under them.
    /// </summary>
    public static void UseShutdownDrain(this WebApplication app)
    {
        var drain = app.Services.GetRequiredService<ShutdownDrain>();
        app.Use((context, next) =>
        {
            if (drain.IsDraining)
            {
                context.Response.Headers.Connection = "close";
            }
            return next(context);
        });
    }
}
