using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Toolchain.Inference.Hosting;
using Toolchain.Inference.Service.Protocol;
using Toolchain.Inference.Service.Repository;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Repository;

public sealed class ModelRepositoryTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Repo => _dir.File("repo");

    private string Model(string name, string version, string labelPrefix = "digit ")
    {
        Directory.CreateDirectory(Path.Combine(Repo, name, version));
        return LabelledTinyModels.Write(Path.Combine(Repo, name, version, "model.onnx"), labelPrefix);
    }

    [Fact]
    public void Each_model_folder_serves_its_highest_numeric_version_as_Models_name_Path()
    {
        Model("cnn", "2");
        var latest = Model("cnn", "10");
        Model("cnn", "9");
        var mlp = Model("mlp", "1");
        Directory.CreateDirectory(Path.Combine(Repo, "cnn", "latest"));
        Directory.CreateDirectory(Path.Combine(Repo, ".cnn.staging-1-abc", "1"));
        File.WriteAllText(Path.Combine(Repo, "README"), "not a model");

        var entries = ModelRepositoryConfiguration.Entries(Repo);

        Assert.Equal(new Dictionary<string, string?> { ["Models:cnn:Path"] = latest, ["Models:mlp:Path"] = mlp }, entries);
        Assert.Equal([("cnn", 10L), ("mlp", 1L)], TritonModelRepository.Read(Repo).Select(m => (m.Name, m.Version)));
    }

    [Theory]
    [InlineData("missing", "is not a folder")]
    [InlineData("empty", "holds no model folders")]
    [InlineData("no-version", "cnn has no version folder")]
    [InlineData("no-file", "cnn's latest version 3 has no model.onnx")]
    public void A_repository_that_cannot_be_served_is_one_line_naming_the_problem(string layout, string message)
    {
        switch (layout)
        {
            case "empty":
                Directory.CreateDirectory(Repo);
                break;
            case "no-version":
                Directory.CreateDirectory(Path.Combine(Repo, "cnn", "v1"));
                break;
            case "no-file":
                Model("cnn", "2");
                Directory.CreateDirectory(Path.Combine(Repo, "cnn", "3"));
                break;
        }

        var e = Assert.Throws<InvalidOperationException>(() => TritonModelRepository.Read(Repo));

        Assert.Contains(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task The_service_serves_a_one_model_repository_given_as_model_repository()
    {
        Model("digits", "1", "old ");
        Model("digits", "2", "new ");
        await using var app = ServiceApp.Build(["--urls", "http://127.0.0.1:0", "--model-repository", Repo, "--Logging:LogLevel:Default", "Warning", "--Classifier:Provider", "Cpu", "--Shutdown:Drain", "00:00:00"]);
        await app.StartAsync();
        await app.Services.GetRequiredService<OnnxClassifier>().StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        var content = new ByteArrayContent(LabelledTinyModels.Png(4));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");

        using var response = await client.PostAsync("/v1/classify", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("new 4", (await RunningService.JsonAsync(response)).GetProperty("label").GetString());
        await app.StopAsync();
    }

    [Fact]
    public void Explicit_settings_win_over_the_repository_and_every_model_of_it_is_served()
    {
        Model("a", "1");
        Model("b", "1");
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(new Dictionary<string, string?> { [ModelRepositoryConfiguration.Key] = Repo, ["Models:a:Path"] = "/elsewhere/a.onnx" });

        configuration.AddModelRepository();

        Assert.Equal("/elsewhere/a.onnx", configuration["Models:a:Path"]);
        Assert.Equal(Path.Combine(Repo, "b", "1", "model.onnx"), configuration["Models:b:Path"]);
        var served = ServedModels.Read(configuration, modelPath: null, fallbackPath: "unused.onnx");
        Assert.Equal(["a", "b"], served.All.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.Equal(Path.GetFullPath("/elsewhere/a.onnx"), served.Find("a")!.Path);
    }
}
