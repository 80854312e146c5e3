using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Toolchain.Inference.Hosting;

namespace Toolchain.Inference.Service.Tests;

/// <summary>
/// The real service, as <see cref="ServiceApp.Build(string[])"/> configures it, with a client for it: in memory on
/// <see cref="TestServer"/> where the socket is not what is tested (<see cref="StartAsync(string, ValueTuple{string, string}[])"/>),
/// or on real Kestrel at 127.0.0.1 on an ephemeral port (<see cref="StartOnSocketAsync"/>) for raw HTTP, Kestrel's
/// limits and 100-continue, client disconnects and the browser.
/// </summary>
internal sealed class RunningService : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Uri? _address;

    private RunningService(WebApplication app, Uri? address, HttpClient client)
    {
        _app = app;
        _address = address;
        Client = client;
        Client.Timeout = TimeSpan.FromSeconds(60);
    }

    /// <summary>Where Kestrel listens; only for a service started with <see cref="StartOnSocketAsync"/>.</summary>
    public Uri Address => _address ?? throw new InvalidOperationException("an in-memory service has no address; start it with StartOnSocketAsync");

    public HttpClient Client { get; }

    public OnnxClassifier Classifier => _app.Services.GetRequiredService<OnnxClassifier>();

    /// <summary>
    /// Starts the service on <paramref name="modelPath"/>; <paramref name="settings"/> are extra configuration
    /// (e.g. "Classifier:Batching:Enabled" = "false"). Waits for the first model load (which the service's hosted
    /// service started) to be tried.
    /// </summary>
    public static Task<RunningService> StartAsync(string modelPath, params (string Key, string Value)[] settings) =>
        StartAsync(modelPath, time: null, settings);

    /// <summary>
    /// Starts the service as <see cref="StartAsync(string, ValueTuple{string, string}[])"/> does, with
    /// <paramref name="time"/> (when given) as the container's clock: batching delays then pass only when the test
    /// moves it.
    /// </summary>
    public static Task<RunningService> StartAsync(string modelPath, TimeProvider? time, params (string Key, string Value)[] settings) =>
        StartAsync(modelPath, time, socket: false, settings);

    /// <summary>Starts the service as <see cref="StartAsync(string, TimeProvider?, ValueTuple{string, string}[])"/> does, on a real socket.</summary>
    public static Task<RunningService> StartOnSocketAsync(string modelPath, TimeProvider? time = null, params (string Key, string Value)[] settings) =>
        StartAsync(modelPath, time, socket: true, settings);

    private static async Task<RunningService> StartAsync(string modelPath, TimeProvider? time, bool socket, (string Key, string Value)[] settings)
    {
        var service = await StartWithoutWaitingAsync(modelPath, time, socket, mapTestEndpoints: null, settings);
        await service.Classifier.StartAsync();
        return service;
    }

    /// <summary>
    /// Starts the service on a real socket (for the browser), with test-only endpoints that
    /// <paramref name="mapTestEndpoints"/> adds beside the service's own.
    /// </summary>
    public static async Task<RunningService> StartOnSocketAsync(string modelPath, Action<WebApplication> mapTestEndpoints)
    {
        var service = await StartWithoutWaitingAsync(modelPath, time: null, socket: true, mapTestEndpoints, []);
        await service.Classifier.StartAsync();
        return service;
    }

    /// <summary>Starts the service as <see cref="StartAsync(string, ValueTuple{string, string}[])"/> does but returns while the model may still be loading.</summary>
    public static Task<RunningService> StartWithoutWaitingAsync(string modelPath) =>
        StartWithoutWaitingAsync(modelPath, time: null, socket: false, mapTestEndpoints: null, []);

    private static async Task<RunningService> StartWithoutWaitingAsync(string modelPath, TimeProvider? time, bool socket,
        Action<WebApplication>? mapTestEndpoints, (string Key, string Value)[] settings)
    {
        var args = new List<string>
        {
            "--urls", "http://127.0.0.1:0",
            "--model", modelPath,
            "--Logging:LogLevel:Default", "Warning",
            "--Classifier:Provider", "Cpu",
            "--Classifier:IntraOpThreads", "1",
            "--Classifier:Reload:Debounce", "00:00:00.050",
            "--Classifier:Reload:PollInterval", "00:00:00.200",
            // Stopping a test service need not give load balancers time to notice (the shutdown tests set their own).
            "--Shutdown:Drain", "00:00:00",
        };
        foreach (var (key, value) in settings)
        {
            args.Add("--" + key);
            args.Add(value);
        }
        var app = ServiceApp.Build([.. args], services =>
        {
            if (time is { } clock)
            {
                services.AddSingleton(clock);
            }
            if (!socket)
            {
                // Registered after Kestrel, so it is the IServer the host starts: requests go straight into the pipeline.
                services.AddSingleton<IServer, TestServer>();
            }
        });
        mapTestEndpoints?.Invoke(app);
        await app.StartAsync();
        var server = app.Services.GetRequiredService<IServer>();
        if (server is TestServer inMemory)
        {
            return new RunningService(app, address: null, inMemory.CreateClient());
        }
        var address = new Uri(server.Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return new RunningService(app, address, new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = address });
    }

    /// <summary>A gRPC channel to the in-memory service (the gRPC form answers on the same server in memory).</summary>
    public Grpc.Net.Client.GrpcChannel CreateGrpcChannel()
    {
        var server = (TestServer)_app.Services.GetRequiredService<IServer>();
        return Grpc.Net.Client.GrpcChannel.ForAddress(server.BaseAddress, new Grpc.Net.Client.GrpcChannelOptions { HttpHandler = server.CreateHandler() });
    }

    public Task<HttpResponseMessage> PostImageAsync(byte[] body, string contentType = "image/png", string query = "")
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return Client.PostAsync("/v1/classify" + query, content);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
}
