using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Toolchain.Inference.Hosting;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Protocol;

/// <summary>
/// The service in memory (TestServer: the socket is not what these tests test) serving three tiny models of the three
/// kinds: "cnn" (the benchmark CNN, FP32 [-1,1,28,28], through --model, so also /v1's), "mlp" (the band classifier,
/// FP32 [-1,1,28,28]) and "xor" (the float64 binary model, FP64 [-1,2]), with an HTTP client and a gRPC channel.
/// One per test class; every model is loaded before the first test.
/// </summary>
public sealed class ProtocolService : IProtocolHost, IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private WebApplication _app = null!;

    /// <inheritdoc />
    public HttpClient Http { get; private set; } = null!;

    internal GrpcChannel Channel { get; private set; } = null!;

    internal global::Inference.GRPCInferenceService.GRPCInferenceServiceClient Grpc { get; private set; } = null!;

    /// <inheritdoc />
    public string CnnPath => _dir.File("cnn.onnx");

    public async Task InitializeAsync()
    {
        TinyOnnxModels.WriteBenchmarkCnn(CnnPath);
        TinyOnnxModels.WriteImageClassifier(_dir.File("mlp.onnx"));
        TinyOnnxModels.WriteBinary(_dir.File("xor.onnx"));
        string[] args =
        [
            "--model", CnnPath,
            "--Models:mlp:Path", _dir.File("mlp.onnx"),
            "--Models:xor:Path", _dir.File("xor.onnx"),
            "--Logging:LogLevel:Default", "Warning",
            "--Classifier:Provider", "Cpu",
            "--Classifier:IntraOpThreads", "1",
            "--Classifier:Reload:Enabled", "false",
            "--Shutdown:Drain", "00:00:00",
        ];
        _app = ServiceApp.Build(args, services => services.AddSingleton<IServer, TestServer>());
        await _app.StartAsync();
        foreach (var key in new[] { "", "mlp", "xor" })
        {
            await _app.Services.GetRequiredKeyedService<OnnxClassifier>(key).StartAsync();
        }
        var server = (TestServer)_app.Services.GetRequiredService<IServer>();
        Http = server.CreateClient();
        Channel = GrpcChannel.ForAddress(server.BaseAddress, new GrpcChannelOptions { HttpHandler = server.CreateHandler() });
        Grpc = new global::Inference.GRPCInferenceService.GRPCInferenceServiceClient(Channel);
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _dir.Dispose();
    }

    /// <inheritdoc />
    public string VersionOf(string key) =>
        _app.Services.GetRequiredKeyedService<OnnxClassifier>(key).GetStatus().Version!.Id;

    /// <inheritdoc />
    public Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    /// <inheritdoc />
    public Task<HttpResponseMessage> PostBinaryAsync(string path, string json, byte[] binary, string? headerLength = null) =>
        Http.PostAsync(path, BinaryContent(json, binary, headerLength));

    /// <summary>A JSON header followed by binary data, with Inference-Header-Content-Length, as tritonclient sends it.</summary>
    internal static ByteArrayContent BinaryContent(string json, byte[] binary, string? headerLength)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var content = new ByteArrayContent([.. header, .. binary]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", headerLength ?? header.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return content;
    }

    internal static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
}
