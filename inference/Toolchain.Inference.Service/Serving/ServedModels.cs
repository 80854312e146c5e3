using Toolchain.Inference.Hosting;

namespace Toolchain.Inference.Service.Serving;

/// <summary>One model the service serves: its protocol name, the key its classifier is registered under, and its file.</summary>
/// <param name="Name">The name clients use in <c>/v2/models/{name}</c>.</param>
/// <param name="Key">The keyed-service name of its <see cref="OnnxClassifier"/> (empty for the default one).</param>
/// <param name="Path">The model file.</param>
/// <param name="Section">The configuration section of its own options (<c>Models:{name}</c>), or null for <c>--model</c>'s.</param>
internal sealed record ServedModel(string Name, string Key, string Path, string? Section);

/// <summary>
/// Every model of the service by protocol name, read from configuration: <c>--model PATH</c> (named by the file's stem)
/// and each <c>Models:{name}:Path</c>, each with its own classifier (reload, batching, readiness). The default model,
/// the one <c>/v1</c> serves, is <c>--model</c>'s, else <c>DefaultModel</c>, else the first configured name.
/// </summary>
internal sealed class ServedModels
{
    public const string Section = "Models";

    private readonly Dictionary<string, ServedModel> _byName;

    public ServedModels(IReadOnlyList<ServedModel> models, string defaultName)
    {
        All = models;
        DefaultName = defaultName;
        _byName = models.ToDictionary(m => m.Name, StringComparer.Ordinal);
    }

    /// <summary>The models in configuration order, the default first.</summary>
    public IReadOnlyList<ServedModel> All { get; }

    /// <summary>The protocol name of the default model.</summary>
    public string DefaultName { get; }

    public ServedModel? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// Reads the models from <paramref name="configuration"/>; <paramref name="modelPath"/> is <c>--model</c>'s path
    /// (or the built-in default when neither it nor any <c>Models</c> entry is given). Throws
    /// <see cref="InvalidOperationException"/> with one line for a name given twice, an entry without a path, or an
    /// unknown <c>DefaultModel</c>.
    /// </summary>
    public static ServedModels Read(IConfiguration configuration, string? modelPath, string fallbackPath)
    {
        var models = new List<ServedModel>();
        var configured = configuration.GetSection(Section).GetChildren().ToList();
        if (modelPath is not null || configured.Count == 0)
        {
            var path = Path.GetFullPath(modelPath ?? fallbackPath);
            models.Add(new ServedModel(NameOf(path), Microsoft.Extensions.Options.Options.DefaultName, path, null));
        }
        foreach (var entry in configured)
        {
            var name = entry.Key;
            if (!IsValidName(name))
            {
                throw new InvalidOperationException($"{Section}:{name}: a model name may hold letters, digits, '.', '_' and '-' only");
            }
            if (entry["Path"] is not { Length: > 0 } path)
            {
                throw new InvalidOperationException($"{Section}:{name}:Path is required (the ONNX file to serve as '{name}')");
            }
            if (models.Any(m => string.Equals(m.Name, name, StringComparison.Ordinal)))
            {
                throw new InvalidOperationException($"two models are named '{name}' ({Section}:{name} and --model); rename one");
            }
            models.Add(new ServedModel(name, name, Path.GetFullPath(path), entry.Path));
        }
        if (models[0].Key.Length == 0)
        {
            return new ServedModels(models, models[0].Name);
        }
        // No --model: the default (/v1's model) is one of the configured ones, registered under the default key.
        var defaultName = configuration["DefaultModel"] is { Length: > 0 } chosen ? chosen : models[0].Name;
        var index = models.FindIndex(m => m.Name == defaultName);
        if (index < 0)
        {
            throw new InvalidOperationException($"DefaultModel '{defaultName}' is not one of the configured models ({string.Join(", ", models.Select(m => m.Name))})");
        }
        var chosenModel = models[index] with { Key = Microsoft.Extensions.Options.Options.DefaultName };
        models.RemoveAt(index);
        models.Insert(0, chosenModel);
        return new ServedModels(models, defaultName);
    }

    /// <summary>The name a model file is served under by default: its file name without the extension.</summary>
    public static string NameOf(string path) => System.IO.Path.GetFileNameWithoutExtension(path);

    private static bool IsValidName(string name) =>
        name.Length is > 0 and <= 128 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
