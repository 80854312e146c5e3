using YamlDotNet.RepresentationModel;

namespace Toolchain.Inference.Service.Tests.Deploy;

/// <summary>The YAML documents under the checkout's deploy/ folder, parsed with YamlDotNet, with path lookups.</summary>
internal static class Manifests
{
    public static string Root { get; } = FindRoot();

    public static string DeployFolder => Path.Combine(Root, "deploy");

    /// <summary>Every document of every .yaml file under deploy/, with the file it came from.</summary>
    public static IReadOnlyList<(string File, YamlMappingNode Doc)> All() =>
        [.. Directory.EnumerateFiles(DeployFolder, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .SelectMany(file => Load(file).Select(doc => (Path.GetRelativePath(DeployFolder, file), doc)))];

    /// <summary>The documents of one file (relative to deploy/).</summary>
    public static IReadOnlyList<YamlMappingNode> Load(string file)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(DeployFolder, file)))
        {
            stream.Load(reader);
        }
        return [.. stream.Documents.Select(d => Assert.IsType<YamlMappingNode>(d.RootNode))];
    }

    /// <summary>The one document of kind <paramref name="kind"/> in <paramref name="file"/>.</summary>
    public static YamlMappingNode One(string file, string kind) => Assert.Single(Load(file), d => d.Text("kind") == kind);

    /// <summary>The node at a dotted path; numbers index sequences ("spec.containers.0.ports").</summary>
    public static YamlNode At(this YamlNode node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            node = node switch
            {
                YamlMappingNode map when map.Children.TryGetValue(new YamlScalarNode(part), out var child) => child,
                YamlSequenceNode seq when int.TryParse(part, out var i) && i < seq.Children.Count => seq.Children[i],
                _ => throw new Xunit.Sdk.XunitException($"no '{part}' in {path}"),
            };
        }
        return node;
    }

    public static string Text(this YamlNode node, string path) => Assert.IsType<YamlScalarNode>(node.At(path)).Value!;

    public static int Int(this YamlNode node, string path) => int.Parse(node.Text(path), System.Globalization.CultureInfo.InvariantCulture);

    public static IReadOnlyList<YamlNode> Items(this YamlNode node, string path) => Assert.IsType<YamlSequenceNode>(node.At(path)).Children.ToList();

    public static IReadOnlyList<string> Strings(this YamlNode node, string path) => [.. node.Items(path).Select(i => ((YamlScalarNode)i).Value!)];

    public static bool Has(this YamlNode node, string path)
    {
        try
        {
            node.At(path);
            return true;
        }
        catch (Xunit.Sdk.XunitException)
        {
            return false;
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Toolchain.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("the tests run outside the checkout: no Toolchain.sln above " + AppContext.BaseDirectory);
    }
}
