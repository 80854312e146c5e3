using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Toolchain.Inference.Hosting;
using Toolchain.Inference.Service.Repository;
using Toolchain.Inference.Service.Serving;
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

    [Theory]
    [InlineData("01", "1")]
    [InlineData("1", "001")]
    public void Two_version_folders_of_one_number_are_refused_naming_both(string first, string second)
    {
        Model("cnn", first);
        Model("cnn", second);

        var e = Assert.Throws<InvalidOperationException>(() => TritonModelRepository.Read(Repo));

        Assert.Contains($"cnn has version folders '{new[] { first, second }.Order(StringComparer.Ordinal).First()}' and '{new[] { first, second }.Order(StringComparer.Ordinal).Last()}', both version 1", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    private const string ExportedConfig = """
        # Written by infer export triton from the model card; Triton's ONNX Runtime backend serves 1/model.onnx.
        name: "cnn"
        platform: "onnxruntime_onnx"
        max_batch_size: 8
        input [
          {
            name: "input"
            data_type: TYPE_FP32
            dims: [ 1, 28, 28 ]
          }
        ]
        dynamic_batching {
          preferred_batch_size: [ 8 ]
          max_queue_delay_microseconds: 250
        }
        instance_group [
          {
            count: 3
            kind: KIND_CPU
          }
        ]
        """;

    [Fact]
    public void Config_pbtxt_batching_becomes_the_models_batching_options_and_the_rest_is_named_as_ignored()
    {
        var path = Model("cnn", "1");
        File.WriteAllText(Path.Combine(Repo, "cnn", "config.pbtxt"), ExportedConfig);

        var entries = ModelRepositoryConfiguration.Entries(Repo);
        var config = Assert.Single(TritonModelRepository.Read(Repo)).Config!;

        Assert.Equal(new Dictionary<string, string?>
        {
            ["Models:cnn:Path"] = path,
            ["Models:cnn:Batching:MaxBatchSize"] = "8",
            ["Models:cnn:Batching:MaxQueueDelayMicroseconds"] = "250",
            ["Models:cnn:Batching:Instances"] = "3",
        }, entries);
        Assert.Equal("cnn/config.pbtxt: honoured max_batch_size 8, max_queue_delay_microseconds 250, instance count 3; "
            + "ignored dynamic_batching.preferred_batch_size, input.data_type, input.dims, input.name, instance_group.kind "
            + "(the service reads the rest from model.onnx)", config.Describe("cnn/config.pbtxt"));
    }

    [Fact]
    public void Max_batch_size_0_turns_batching_off()
    {
        Model("cnn", "1");
        File.WriteAllText(Path.Combine(Repo, "cnn", "config.pbtxt"), "max_batch_size: 0\n");

        Assert.Equal("false", ModelRepositoryConfiguration.Entries(Repo)["Models:cnn:Batching:Enabled"]);
    }

    [Theory]
    [InlineData("max_batch_size: many\n", "max_batch_size must be a whole number of at least 0 (got 'many')")]
    [InlineData("instance_group [ { count: 0 } ]\n", "instance_group.count must be a whole number of at least 1")]
    [InlineData("dynamic_batching {\n", "'}' is missing at the end")]
    [InlineData("name: \"cnn\n", "a string has no closing quote")]
    [InlineData("{ }", "a field name was expected, not '{'")]
    public void A_config_pbtxt_that_cannot_be_read_is_one_line(string text, string expected)
    {
        Model("cnn", "1");
        File.WriteAllText(Path.Combine(Repo, "cnn", "config.pbtxt"), text);

        var e = Assert.Throws<InvalidOperationException>(() => TritonModelRepository.Read(Repo));

        Assert.Contains($"cnn/config.pbtxt cannot be read: {expected}", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task The_service_serves_the_batching_config_pbtxt_sets_and_logs_what_it_ignored()
    {
        Model("digits", "1");
        File.WriteAllText(Path.Combine(Repo, "digits", "config.pbtxt"), ExportedConfig);
        var logs = new LinesLogged();
        await using var app = ServiceApp.Build(["--model-repository", Repo, "--Logging:LogLevel:Default", "Warning",
            "--Logging:LogLevel:Toolchain.Inference.Service.Repository", "Information", "--Classifier:Provider", "Cpu", "--Shutdown:Drain", "00:00:00"],
            services => services.AddSingleton<IServer, TestServer>().AddSingleton<ILoggerProvider>(logs));
        await app.StartAsync();
        await app.Services.GetRequiredService<OnnxClassifier>().StartAsync();
        using var client = ((TestServer)app.Services.GetRequiredService<IServer>()).CreateClient();

        var batching = (await RunningService.JsonAsync(await client.GetAsync("/v1/model"))).GetProperty("batching");

        Assert.Equal(8, batching.GetProperty("max_batch_size").GetInt32());
        Assert.Equal(250, batching.GetProperty("max_queue_delay_microseconds").GetInt32());
        Assert.Equal(3, batching.GetProperty("instances").GetInt32());
        var line = Assert.Single(logs.Lines, l => l.Contains("config.pbtxt", StringComparison.Ordinal));
        Assert.StartsWith("model repository: digits/config.pbtxt: honoured max_batch_size 8", line);
        Assert.Contains("ignored dynamic_batching.preferred_batch_size", line);
        await app.StopAsync();
    }

    /// <summary>Every line logged, formatted.</summary>
    private sealed class LinesLogged : ILoggerProvider
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(Lines);

        public void Dispose()
        {
        }

        private sealed class Logger(System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(formatter(state, exception));
        }
    }
}
