using System.Globalization;

namespace Toolchain.Inference.Service.Repository;

/// <summary>
/// One model of a Triton model repository: its name (folder), the version served, that version's ONNX file, and what
/// its <c>config.pbtxt</c> says that the service honours (null without one).
/// </summary>
internal sealed record RepositoryModel(string Name, long Version, string Path, TritonModelConfigFile? Config = null);

/// <summary>
/// Reads a Triton model repository (<c>REPO/NAME/VERSION/model.onnx</c>, as <c>infer export triton</c> writes it) the
/// way Triton's default version policy does: every model folder serves its highest numeric version. Hidden folders
/// (an export's staging folder, <c>.git</c>) and plain files are not models; version folders that are not positive
/// integers are ignored, as Triton ignores them. Two folders that are the same number (<c>01</c> and <c>1</c>) are refused:
/// which of them is "version 1" would be a guess.
/// </summary>
internal static class TritonModelRepository
{
    /// <summary>The file Triton's ONNX Runtime backend loads from a version folder.</summary>
    public const string ModelFileName = "model.onnx";

    /// <summary>The repository's models sorted by name; throws <see cref="InvalidOperationException"/> with one line when it cannot be served.</summary>
    public static IReadOnlyList<RepositoryModel> Read(string repository)
    {
        var root = System.IO.Path.GetFullPath(repository);
        if (!Directory.Exists(root))
        {
            throw new InvalidOperationException($"model repository {root} is not a folder");
        }
        var models = new List<RepositoryModel>();
        foreach (var folder in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            var name = System.IO.Path.GetFileName(folder);
            if (name.StartsWith('.'))
            {
                continue;
            }
            var versions = Directory.EnumerateDirectories(folder)
                .Select(v => (Folder: v, Number: long.TryParse(System.IO.Path.GetFileName(v), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0))
                .Where(v => v.Number > 0)
                .OrderByDescending(v => v.Number)
                .ThenBy(v => v.Folder, StringComparer.Ordinal)
                .ToList();
            for (var i = 1; i < versions.Count; i++)
            {
                if (versions[i].Number == versions[i - 1].Number)
                {
                    throw new InvalidOperationException(
                        $"model repository {root}: {name} has version folders '{System.IO.Path.GetFileName(versions[i - 1].Folder)}' and '{System.IO.Path.GetFileName(versions[i].Folder)}', both version {versions[i].Number}; remove or rename one");
                }
            }
            if (versions.Count == 0)
            {
                throw new InvalidOperationException($"model repository {root}: {name} has no version folder (e.g. {name}/1/{ModelFileName})");
            }
            var latest = versions[0];
            var file = System.IO.Path.Combine(latest.Folder, ModelFileName);
            if (!File.Exists(file))
            {
                throw new InvalidOperationException($"model repository {root}: {name}'s latest version {latest.Number} has no {ModelFileName}");
            }
            models.Add(new RepositoryModel(name, latest.Number, file, ReadConfig(root, name, folder)));
        }
        if (models.Count == 0)
        {
            throw new InvalidOperationException($"model repository {root} holds no model folders (NAME/VERSION/{ModelFileName}; 'infer export triton' writes them)");
        }
        return models;
    }

    private static TritonModelConfigFile? ReadConfig(string root, string name, string folder)
    {
        var path = System.IO.Path.Combine(folder, TritonModelConfigFile.FileName);
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            return TritonModelConfigFile.Read(path);
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            // Triton refuses a model whose configuration it cannot read; so does the service, rather than serve it differently.
            throw new InvalidOperationException($"model repository {root}: {name}/{TritonModelConfigFile.FileName} cannot be read: {e.Message}", e);
        }
    }
}
