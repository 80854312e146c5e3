using Microsoft.Extensions.Configuration.Memory;
using Toolchain.Inference.Service.Serving;

namespace Toolchain.Inference.Service.Repository;

/// <summary>
/// <c>--model-repository REPO</c>: each model of a Triton repository becomes the configuration entry
/// <c>Models:{name}:Path</c> = <c>REPO/{name}/{highest version}/model.onnx</c>, the shape the service's multi-model
/// configuration reads. Entries given explicitly (command line, environment) win over the repository's.
/// </summary>
internal static class ModelRepositoryConfiguration
{
    /// <summary>The configuration key (command line <c>--model-repository</c>).</summary>
    public const string Key = "model-repository";

    /// <summary>
    /// The entries for <paramref name="repository"/>'s models: each one's path, and the batching its config.pbtxt
    /// sets (see <see cref="TritonModelConfigFile"/>).
    /// </summary>
    public static Dictionary<string, string?> Entries(string repository) => Entries(TritonModelRepository.Read(repository));

    private static Dictionary<string, string?> Entries(IReadOnlyList<RepositoryModel> models)
    {
        var entries = new Dictionary<string, string?>();
        foreach (var model in models)
        {
            var section = $"{ServedModels.Section}:{model.Name}";
            entries[$"{section}:Path"] = model.Path;
            foreach (var (key, value) in model.Config?.Entries(section) ?? [])
            {
                entries[key] = value;
            }
        }
        return entries;
    }

    /// <summary>
    /// Adds the repository named by <see cref="Key"/> in <paramref name="configuration"/>, if any, below every source
    /// it already has, so that explicit settings override it. Returns one line per config.pbtxt, saying what of it
    /// the service honours and what it ignores, for the log.
    /// </summary>
    public static IReadOnlyList<string> AddModelRepository(this ConfigurationManager configuration)
    {
        if (configuration[Key] is not { Length: > 0 } repository)
        {
            return [];
        }
        var models = TritonModelRepository.Read(repository);
        ((IConfigurationBuilder)configuration).Sources.Insert(0, new MemoryConfigurationSource { InitialData = Entries(models) });
        return [.. models.Where(m => m.Config is not null)
            .Select(m => m.Config!.Describe(Path.Combine(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(m.Path))!), TritonModelConfigFile.FileName)))];
    }
}
