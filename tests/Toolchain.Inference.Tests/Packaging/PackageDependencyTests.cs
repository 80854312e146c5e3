using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace Toolchain.Inference.Tests.Packaging;

/// <summary>
/// What a service that references the Toolchain.Inference package takes on, read from the package itself: the
/// library is packed (without building it again) into a temporary folder and its .nuspec and files are inspected.
/// </summary>
/// <remarks>
/// The package, not the project, is what people reference, and its dependency list comes from NuGet's pack targets
/// (PrivateAssets, project references turned into package dependencies); LibraryDependencyTests only sees the
/// assemblies and deps.json of this build. Packing with --no-build takes a couple of seconds since the test project
/// has already built the library in the same configuration.
/// </remarks>
public sealed class PackageDependencyTests
{
    private static readonly string[] Forbidden =
        ["TorchSharp", "libtorch", "ScottPlot", "SkiaSharp", "HarfBuzzSharp", "Toolchain.Data", "Toolchain.Cli", "Toolchain.Charts", "CommandLineParser", "Spectre.Console"];

    private static readonly Lazy<PackedLibrary> Packed = new(Pack);

    [Fact]
    public void The_package_depends_on_the_contracts_imaging_ONNX_Runtime_and_Microsoft_Extensions_only()
    {
        var ids = Packed.Value.Dependencies.Select(d => d.Id).ToArray();

        Assert.Contains("Toolchain.Contracts", ids);
        Assert.Contains("Toolchain.Imaging", ids);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Managed", ids);
        Assert.Contains(ids, id => id.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal));
        Assert.DoesNotContain(ids, id => Forbidden.Any(f => id.StartsWith(f, StringComparison.OrdinalIgnoreCase)));
        // Anything new must be a deliberate choice: every dependency is one of the families a service expects. ImageSharp
        // comes with Toolchain.Imaging, which decodes the pictures; the library itself never touches pixels.
        string[] allowed = ["Toolchain.Contracts", "Toolchain.Imaging", "Microsoft.ML.OnnxRuntime.", "Microsoft.Extensions.", "Google.Protobuf"];
        Assert.All(ids, id => Assert.True(allowed.Any(a => id.StartsWith(a, StringComparison.Ordinal)), $"unexpected package dependency {id}"));
    }

    [Fact]
    public void The_contracts_dependency_has_the_version_of_this_build()
    {
        var contracts = Packed.Value.Dependencies.Single(d => d.Id == "Toolchain.Contracts");

        Assert.Equal(Packed.Value.Version, contracts.Version);
    }

    [Fact]
    public void The_package_carries_its_readme_licence_XML_docs_and_repository()
    {
        var p = Packed.Value;

        Assert.Contains("README.md", p.Files);
        Assert.Contains("LICENSE", p.Files);
        Assert.Contains("lib/net10.0/Toolchain.Inference.dll", p.Files);
        Assert.Contains("lib/net10.0/Toolchain.Inference.xml", p.Files);
        Assert.Equal("README.md", p.Metadata("readme"));
        Assert.Equal("MIT", p.Metadata("license"));
        Assert.False(string.IsNullOrWhiteSpace(p.Metadata("description")));
        Assert.NotNull(p.Nuspec.Descendants(p.Ns + "repository").SingleOrDefault()?.Attribute("url"));
    }

    private sealed record Dependency(string Id, string Version);

    private sealed record PackedLibrary(XDocument Nuspec, XNamespace Ns, IReadOnlyList<Dependency> Dependencies, IReadOnlyList<string> Files)
    {
        public string Version => Metadata("version");

        public string Metadata(string name) => Nuspec.Root!.Element(Ns + "metadata")!.Element(Ns + name)?.Value ?? "";
    }

    private static PackedLibrary Pack()
    {
        var project = Path.Combine(RepositoryRoot(), "inference", "Toolchain.Inference", "Toolchain.Inference.csproj");
        var output = Directory.CreateTempSubdirectory("toolchain-pack-").FullName;
        try
        {
            // --no-build packs the library this test project was built against; the configuration must match its output.
            Run(DotnetHost(), "pack", project, "--no-build", "-c", Configuration, "-o", output, "--nologo", "-v:q");
            var nupkg = Directory.GetFiles(output, "Toolchain.Inference.*.nupkg").Single(f => !f.EndsWith(".snupkg", StringComparison.Ordinal));
            using var zip = ZipFile.OpenRead(nupkg);
            var files = zip.Entries.Select(e => e.FullName).ToArray();
            using var stream = zip.GetEntry("Toolchain.Inference.nuspec")!.Open();
            var nuspec = XDocument.Load(stream);
            var ns = nuspec.Root!.Name.Namespace;
            var dependencies = nuspec.Descendants(ns + "dependency")
                .Select(d => new Dependency((string)d.Attribute("id")!, (string)d.Attribute("version")!))
                .ToArray();
            return new PackedLibrary(nuspec, ns, dependencies, files);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Toolchain.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no Toolchain.sln above {AppContext.BaseDirectory}");
    }

    // The SDK running the tests sets DOTNET_HOST_PATH; the test host itself runs under the dotnet muxer otherwise.
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath!
        : "dotnet";

    private static void Run(string fileName, params string[] args)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} did not finish in 2 minutes");
        }
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} exited {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
    }
}
