using System.Globalization;

namespace Toolchain.Inference.Service.Repository;

/// <summary>One model of a Triton model repository: its name (folder), the version served and that version's ONNX file.</summary>
internal sealed record RepositoryModel(string Name, long Version, string Path);

/// <summary>
/// Reads a Triton model repository (<c>REPO/NAME/VERSION/model.onnx</c>, as <c>infer export triton</c> writes it) the
/// way Triton's default version policy does: every model folder serves its highest numeric version. Hidden folders
/// (an export's staging folder, <c>.git</c>) and plain files are not models; version folders that are not positive
/// integers are ignored, as Triton ignores them.
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
                .ToList();
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
            models.Add(new RepositoryModel(name, latest.Number, file));
        }
        if (models.Count == 0)
        {
            throw new InvalidOperationException($"model repository {root} holds no model folders (NAME/VERSION/{ModelFileName}; 'infer export triton' writes them)");
        }
        return models;
    }
}
