using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Toolchain.Inference.Hosting;

namespace Toolchain.Inference.Service.Tests;

/// <summary>The real service on real Kestrel at 127.0.0.1 on an ephemeral port, with a client for it.</summary>
internal sealed class RunningService : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningService(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri Address { get; }

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
    public static async Task<RunningService> StartAsync(string modelPath, TimeProvider? time, params (string Key, string Value)[] settings)
    {
        var service = await StartWithoutWaitingAsync(modelPath, time, settings);
        await service.Classifier.StartAsync();
        return service;
    }

    /// <summary>
    /// Starts the service as <see cref="StartAsync(string, ValueTuple{string, string}[])"/> does, with test-only
    /// endpoints that <paramref name="mapTestEndpoints"/> adds beside the service's own.
    /// </summary>
    public static async Task<RunningService> StartAsync(string modelPath, Action<WebApplication> mapTestEndpoints)
    {
        var service = await StartCoreAsync(modelPath, time: null, mapTestEndpoints, []);
        await service.Classifier.StartAsync();
        return service;
    }

    /// <summary>Starts the service as <see cref="StartAsync(string, ValueTuple{string, string}[])"/> does but returns while the model may still be loading.</summary>
    public static Task<RunningService> StartWithoutWaitingAsync(string modelPath, TimeProvider? time = null, params (string Key, string Value)[] settings) =>
        StartCoreAsync(modelPath, time, mapTestEndpoints: null, settings);

    private static async Task<RunningService> StartCoreAsync(string modelPath, TimeProvider? time, Action<WebApplication>? mapTestEndpoints,
        (string Key, string Value)[] settings)
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
        };
        foreach (var (key, value) in settings)
        {
            args.Add("--" + key);
            args.Add(value);
        }
        var app = ServiceApp.Build([.. args], time is { } clock ? services => services.AddSingleton(clock) : null);
        mapTestEndpoints?.Invoke(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new RunningService(app, new Uri(address));
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
