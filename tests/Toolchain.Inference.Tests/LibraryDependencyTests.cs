using System.Reflection;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Tests;

/// <summary>What a service that embeds the library takes on: the contracts, ONNX Runtime, ImageSharp and Microsoft.Extensions.</summary>
public sealed class LibraryDependencyTests
{
    private static readonly string[] Forbidden = ["TorchSharp", "ScottPlot", "SkiaSharp", "Toolchain.Data", "Toolchain.Cli", "Toolchain.Charts", "Spectre.Console", "CommandLine"];

    [Fact]
    public void The_inference_library_references_no_training_chart_or_CLI_assembly()
    {
        var references = typeof(OnnxModel).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToArray();

        Assert.Contains("Toolchain.Contracts", references);
        Assert.DoesNotContain(references, r => Forbidden.Any(f => r.StartsWith(f, StringComparison.Ordinal)));
    }

    [Fact]
    public void The_contracts_reference_nothing_but_the_framework()
    {
        var contracts = typeof(Toolchain.Contracts.ModelCard).Assembly.GetReferencedAssemblies();

        Assert.All(contracts, a => Assert.True((a.Name ?? "").StartsWith("System.", StringComparison.Ordinal), a.Name));
    }

    [Fact]
    public void The_dependency_file_of_the_library_lists_no_forbidden_package()
    {
        var deps = Path.Combine(Path.GetDirectoryName(typeof(OnnxModel).Assembly.Location)!, "Toolchain.Inference.Tests.deps.json");
        var text = File.ReadAllText(deps);
        var library = System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("targets").EnumerateObject().First().Value
            .EnumerateObject().First(p => p.Name.StartsWith("Toolchain.Inference/", StringComparison.Ordinal)).Value;

        var dependencies = library.TryGetProperty("dependencies", out var d) ? d.EnumerateObject().Select(p => p.Name).ToArray() : [];

        Assert.DoesNotContain(dependencies, r => Forbidden.Any(f => r.StartsWith(f, StringComparison.Ordinal)));
        Assert.Contains("Microsoft.ML.OnnxRuntime.Managed", dependencies);
        // The native build is the application's choice (CPU, CUDA on Linux or Windows, ...), not the library's.
        Assert.DoesNotContain(dependencies, r => r.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.Ordinal) && r != "Microsoft.ML.OnnxRuntime.Managed");
    }
}
