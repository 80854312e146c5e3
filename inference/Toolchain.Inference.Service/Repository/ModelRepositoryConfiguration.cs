using Microsoft.Extensions.Configuration.Memory;

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

    /// <summary>The section of the served models.</summary>
    public const string ModelsSection = "Models";

    /// <summary>The entries for <paramref name="repository"/>'s models.</summary>
    public static Dictionary<string, string?> Entries(string repository) =>
        TritonModelRepository.Read(repository).ToDictionary(m => $"{ModelsSection}:{m.Name}:Path", string? (m) => m.Path);

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

    /// <summary>
    /// The one model file configured under <see cref="ModelsSection"/>, for a service that serves one model; null when
    /// there is none. More than one is refused with their names, rather than one of them served silently.
    /// </summary>
    public static string? SingleModelPath(IConfiguration configuration)
    {
        var models = configuration.GetSection(ModelsSection).GetChildren().Where(m => m["Path"] is { Length: > 0 }).ToList();
        return models.Count switch
        {
            0 => null,
            1 => models[0]["Path"],
            _ => throw new InvalidOperationException(
                $"this service serves one model, and the configuration names {models.Count} ({string.Join(", ", models.Select(m => m.Key))}); pass --model, or a repository with one model"),
        };
    }
}
