using System.Text.Json;
using Microsoft.Extensions.Configuration.Memory;
using Toolchain.Inference.AspNetCore;
using Toolchain.Inference.AspNetCore.Bodies;
using Toolchain.Inference.Hosting;
using Toolchain.Inference.Service.Endpoints;
using Toolchain.Inference.Service.Lifecycle;
using Toolchain.Inference.Service.Repository;
using Toolchain.Inference.Service.Serving;

namespace Toolchain.Inference.Service;

/// <summary>
/// Builds the reference web service: configuration, the classifier, middleware and endpoints.
/// Configuration keys (command line, environment or appsettings): <c>model</c> (<c>--model PATH</c>), <c>urls</c>
/// (<c>--urls</c>), and the <c>Classifier</c> section bound to <see cref="OnnxClassifierOptions"/>
/// (e.g. <c>--Classifier:Batching:Enabled false</c>).
/// </summary>
public static partial class ServiceApp
{
    /// <summary>The model served when <c>--model</c> is not given: the CNN that <c>make train</c> writes, under the current directory.</summary>
    public const string DefaultModelPath = "artifacts/cnn/model.onnx";

    /// <summary>Where the service listens when <c>--urls</c> is not given.</summary>
    public const string DefaultUrls = "http://127.0.0.1:5000";

    /// <summary>
    /// Configuration key of the bytes of request bodies the process holds at once (<see cref="BodyBudget"/>); by default a
    /// quarter of the memory the garbage collector may use, between 32 and 256 MB.
    /// </summary>
    public const string BodyBudgetKey = "Limits:RequestBodyBudgetBytes";

    /// <summary>
    /// Configuration key of whether the draw page (GET /) and the download of the serving model's weights it uses (GET
    /// /v1/model/file) are served: true by default (make serve, dotnet run); the container image and the deploy/
    /// manifests set it false, so that a deployed service hands its weights to nobody.
    /// </summary>
    public const string DrawPageKey = "DrawPage:Enabled";

    /// <summary>What <c>--help</c> prints.</summary>
    public const string Usage = """
        usage: Toolchain.Inference.Service [--model PATH | --model-repository REPO] [--urls URLS] [--grpc-urls URLS]
                                           [--Classifier:KEY VALUE ...]
                                           [--Models:NAME:Path PATH [--Models:NAME:KEY VALUE ...] ...] [--DefaultModel NAME]

          --model PATH     ONNX image classifier to serve (default: artifacts/cnn/model.onnx under the current directory)
          --model-repository REPO  a Triton model repository (infer export triton): REPO/NAME/VERSION/model.onnx, the
                           highest version of each model, each served as NAME; config.pbtxt's max_batch_size,
                           max_queue_delay_microseconds and instance count are honoured
          --Shutdown:Drain T, --Shutdown:RequestTimeout T  on SIGTERM: not ready, serving for T (default 00:00:05),
                           then up to T (default 00:00:10) for requests in flight; exit 0
          --urls URLS      where to listen (default: http://127.0.0.1:5000)
          --grpc-urls URLS where the Open Inference Protocol's gRPC form listens, HTTP/2 only (default: off), e.g. http://127.0.0.1:5001
          --Models:NAME:Path PATH  serve another model as NAME over /v2 (its options: --Models:NAME:Batching:Enabled false, ...);
                           --model's file is named by its stem; with no --model, /v1 serves DefaultModel (else the first)
          --Classifier:Provider Auto|Cpu|Cuda, --Classifier:IntraOpThreads N, --Classifier:Batching:Enabled true|false,
          --Classifier:Batching:{MaxBatchSize,MaxQueueDelayMicroseconds,QueueCapacity,Instances} N,
          --Classifier:Reload:Enabled true|false  (also as environment variables, e.g. Classifier__Batching__Instances=4)
          --DrawPage:Enabled true|false  the draw page (GET /) and the model download it needs (GET /v1/model/file);
                           default true; the container image and deploy/ manifests turn it off
          --Limits:RequestBodyBudgetBytes N  request bodies held at once; past it large ones get 429 (default: a
                           quarter of the GC's memory limit, 32 to 256 MB)

        endpoints: POST /v1/classify, GET /v1/model, GET /v1/model/file, GET /healthz, GET /readyz, GET /metrics,
                   GET / (draw a digit), GET /v2, GET /v2/health/live, GET /v2/health/ready,
                   GET /v2/models/NAME[/versions/V][/ready], POST /v2/models/NAME[/versions/V]/infer;
                   on --grpc-urls: inference.GRPCInferenceService and grpc.health.v1.Health
        """;

    /// <summary>Whether the command line asks for the usage text rather than a running service.</summary>
    public static bool WantsHelp(string[] args) => args.Any(a => a is "--help" or "-h" or "-?");

    /// <summary>Builds the app from command-line <paramref name="args"/>; the caller runs it.</summary>
    public static WebApplication Build(string[] args) => Build(args, configureServices: null);

    /// <summary>
    /// Builds the app as <see cref="Build(string[])"/> does; <paramref name="configureServices"/> runs after the service's
    /// own registrations, e.g. for a test to give the classifier a clock it moves itself.
    /// </summary>
    internal static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // Defaults go first so appsettings, environment and command line all override them.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                // Its one error is "Hosting failed to start" with the whole stack trace; Program prints the reason in one line.
                ["Logging:LogLevel:Microsoft.Extensions.Hosting.Internal.Host"] = "Critical",
                // It logs an error for every probe of /readyz while the model loads; the load failure itself is logged once.
                ["Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks"] = "Critical",
                ["Logging:Console:FormatterName"] = "simple",
                ["Logging:Console:FormatterOptions:SingleLine"] = "true",
                ["Logging:Console:FormatterOptions:TimestampFormat"] = "HH:mm:ss.fff ",
            },
        });
        if (string.IsNullOrWhiteSpace(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrls);
        }
        // A Triton repository becomes Models:{name}:Path entries, below explicit settings.
        var repositoryNotes = builder.Configuration.AddModelRepository();
        builder.AddOpenInferenceGrpc(builder.Configuration["urls"] is { Length: > 0 } urls ? urls : DefaultUrls);
        // Relative to where the service was started (dotnet run starts it there too), never to a checkout it may not have.
        var models = ServedModels.Read(builder.Configuration, builder.Configuration["model"] is { Length: > 0 } configured ? configured : null, DefaultModelPath);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = BodyLimits.DrainLimitBytes;
        });
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.DictionaryKeyPolicy = null;
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(builder.Configuration[BodyBudgetKey] is { Length: > 0 } budget
            ? new BodyBudget(long.Parse(budget, System.Globalization.CultureInfo.InvariantCulture))
            : BodyBudget.ForThisProcess());
        // Its hosted service starts loading the model when the app starts, without holding start-up: /healthz answers
        // at once, /readyz turns ready when the model is in, and requests before that get 503.
        builder.Services.AddServedModels(builder.Configuration, models);
        builder.Services.AddServiceTelemetry();
        builder.Services.AddServiceHealth();
        builder.Services.AddShutdownDrain(builder.Configuration);
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        var repositoryLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Toolchain.Inference.Service.Repository");
        foreach (var note in repositoryNotes)
        {
            LogRepositoryConfig(repositoryLogger, note);
        }
        app.UseExceptionHandler();
        // Answers without a body (404 for an unknown path, 405 for a wrong method) get problem details like the rest.
        app.UseStatusCodePages();
        app.UseMiddleware<RequestLogging>();
        app.UseShutdownDrain();
        app.UseUnimplementedGrpc();
        // The page runs the serving model in the browser, so it needs the model's bytes: both are served, or neither.
        if (app.Configuration.GetValue(DrawPageKey, defaultValue: true))
        {
            app.MapDrawPage();
            app.MapGetAndHead("/v1/model/file", ModelFileEndpoint.HandleAsync);
        }
        app.MapPost("/v1/classify", ClassifyEndpoint.HandleAsync);
        app.MapGetAndHead("/v1/model", ModelEndpoint.Handle);
        app.MapOpenInferenceRest();
        app.MapOpenInferenceGrpc();
        app.MapServiceHealth();
        app.MapServiceTelemetry();
        return app;
    }

    /// <summary>
    /// The one line to print when the server cannot listen (the port is taken, the address is not this host's), or
    /// null when <paramref name="e"/> is some other failure.
    /// </summary>
    public static string? BindFailure(IOException e) =>
        e.Message.StartsWith("Failed to bind to address", StringComparison.Ordinal) ? e.Message.Split('\n', 2)[0].Trim() : null;

    /// <summary>HEAD is answered wherever GET is (RFC 9110 9.3.2): Kestrel sends the headers and drops the body.</summary>
    private static void MapGetAndHead(this WebApplication app, string pattern, Delegate handler) =>
        app.MapMethods(pattern, [HttpMethods.Get, HttpMethods.Head], handler);

    [LoggerMessage(Level = LogLevel.Information, Message = "model repository: {Note}")]
    private static partial void LogRepositoryConfig(ILogger logger, string note);
}
