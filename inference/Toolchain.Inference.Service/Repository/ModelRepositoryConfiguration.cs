using Microsoft.Extensions.Configuration.Memory;
using Toolchain.Inference.Service.Protocol;

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

    /// <summary>The entries for <paramref name="repository"/>'s models.</summary>
    public static Dictionary<string, string?> Entries(string repository) =>
        TritonModelRepository.Read(repository).ToDictionary(m => $"{ServedModels.Section}:{m.Name}:Path", string? (m) => m.Path);

    /// <summary>
    /// Adds the repository named by <see cref="Key"/> in <paramref name="configuration"/>, if any, below every source
    /// it already has, so that explicit settings override it.
    /// </summary>
    public static void AddModelRepository(this ConfigurationManager configuration)
    {
        if (configuration[Key] is not { Length: > 0 } repository)
        {
            return;
        }
        ((IConfigurationBuilder)configuration).Sources.Insert(0, new MemoryConfigurationSource { InitialData = Entries(repository) });
    }
}
