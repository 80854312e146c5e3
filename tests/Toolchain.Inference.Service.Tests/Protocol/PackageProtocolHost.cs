using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Toolchain.Contracts;
using Toolchain.Inference.AspNetCore;
using Toolchain.Inference.Hosting;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Protocol;

/// <summary>
/// The cnn, mlp and xor models served by a host that uses only what the packages offer anyone, as
/// samples/OnnxClassifierService does: AddOnnxClassifier, AddOpenInference and MapOpenInferenceRest. Nothing of the
/// service (its configuration, repository, health or error handling) is in it, so the protocol checks that pass here
/// pass for a user of the packages too. In memory (TestServer), one per test class.
/// </summary>
public sealed class PackageProtocolHost : IProtocolHost, IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private WebApplication _app = null!;

    /// <inheritdoc />
    public HttpClient Http { get; private set; } = null!;

    /// <inheritdoc />
    public string CnnPath => _dir.File("cnn.onnx");

    public async Task InitializeAsync()
    {
        TinyOnnxModels.WriteBenchmarkCnn(CnnPath);
        TinyOnnxModels.WriteImageClassifier(_dir.File("mlp.onnx"));
        TinyOnnxModels.WriteBinary(_dir.File("xor.onnx"));
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        foreach (var (key, file) in new[] { ("", "cnn.onnx"), ("mlp", "mlp.onnx"), ("xor", "xor.onnx") })
        {
            builder.Services.AddOnnxClassifier(key, o =>
            {
                o.ModelPath = _dir.File(file);
                o.Provider = ExecutionProvider.Cpu;
                o.IntraOpThreads = 1;
                o.Reload.Enabled = false;
            });
        }
        builder.Services.AddOpenInference(o =>
        {
            o.Models["cnn"] = "";
            o.Models["mlp"] = "mlp";
            o.Models["xor"] = "xor";
        });
        _app = builder.Build();
        _app.MapOpenInferenceRest();
        await _app.StartAsync();
        foreach (var key in new[] { "", "mlp", "xor" })
        {
            await _app.Services.GetRequiredKeyedService<OnnxClassifier>(key).StartAsync();
        }
        Http = ((TestServer)_app.Services.GetRequiredService<IServer>()).CreateClient();
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _dir.Dispose();
    }

    /// <inheritdoc />
    public string VersionOf(string key) => _app.Services.GetRequiredKeyedService<OnnxClassifier>(key).GetStatus().Version!.Id;

    /// <inheritdoc />
    public Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    /// <inheritdoc />
    public Task<HttpResponseMessage> PostBinaryAsync(string path, string json, byte[] binary, string? headerLength = null) =>
        Http.PostAsync(path, ProtocolService.BinaryContent(json, binary, headerLength));
}
