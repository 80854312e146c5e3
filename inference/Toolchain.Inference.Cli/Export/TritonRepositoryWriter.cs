using System.Globalization;
using Toolchain.Cli.Output;
using Toolchain.Contracts;

namespace Toolchain.Inference.Cli.Export;

/// <summary>What an export wrote: the model folder, the version written and the versions that were there before.</summary>
/// <param name="Folder">REPO/NAME.</param>
/// <param name="Version">The version folder written.</param>
/// <param name="Existing">The numeric version folders the model folder held before, ascending.</param>
internal sealed record TritonExport(string Folder, long Version, IReadOnlyList<long> Existing)
{
    /// <summary>The model file written.</summary>
    public string ModelPath => Path.Combine(Folder, Version.ToString(CultureInfo.InvariantCulture), TritonRepositoryWriter.ModelFileName);
}

/// <summary>
/// Writes one model into a Triton model repository: <c>REPO/NAME/V/model.onnx</c>, <c>REPO/NAME/config.pbtxt</c> and
/// <c>REPO/NAME/labels.txt</c>. V is the next version after the highest the folder holds (1 for a new model), because
/// Triton, like our service, serves the highest version: writing 1 beside a 3 would leave the old model served. The
/// folder is built in a hidden staging folder inside REPO and renamed into place, so a server polling the repository
/// never sees half of it; into an existing model folder the version folder is renamed in (never over another), then
/// the labels and the configuration, last.
/// </summary>
internal static class TritonRepositoryWriter
{
    /// <summary>The file name Triton's ONNX Runtime backend loads from a version folder.</summary>
    public const string ModelFileName = "model.onnx";

    /// <summary>The configuration file name.</summary>
    public const string ConfigFileName = "config.pbtxt";

    /// <summary>
    /// The numeric version folders of <paramref name="modelFolder"/>, ascending ("01" counts as 1, as Triton reads it;
    /// other names are not versions).
    /// </summary>
    public static List<(long Version, string Name)> Versions(string modelFolder) =>
        !Directory.Exists(modelFolder)
            ? []
            : [.. Directory.EnumerateDirectories(modelFolder)
                .Select(d => Path.GetFileName(d))
                .Select(n => (Ok: long.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var v), Version: v, Name: n))
                .Where(v => v.Ok)
                .Select(v => (v.Version, v.Name))
                .OrderBy(v => v.Version)];

    /// <summary>
    /// Writes the model folder; <paramref name="version"/> null takes the next version. Throws
    /// <see cref="ToolchainException"/> when the version asked for exists.
    /// </summary>
    public static TritonExport Write(string repository, TritonModelConfig config, string modelPath, IReadOnlyList<string> labels, long? version)
    {
        var repo = Path.GetFullPath(repository);
        Directory.CreateDirectory(repo);
        var target = Path.Combine(repo, config.Name);
        if (File.Exists(target))
        {
            throw new ToolchainException($"{target} is a file, not a model folder");
        }
        var existing = Versions(target);
        if (version is { } asked && existing.FirstOrDefault(e => e.Version == asked) is { Name: not null } taken)
        {
            throw new ToolchainException($"--version {asked}: {Path.Combine(target, taken.Name)} exists; a version is never overwritten " +
                $"(the next free one is {existing[^1].Version + 1}; leave out --version to write it)");
        }
        var chosen = version ?? (existing.Count == 0 ? 1 : checked(existing[^1].Version + 1));
        var versionName = chosen.ToString(CultureInfo.InvariantCulture);
        var staging = Path.Combine(repo, $".{config.Name}.staging-{Environment.ProcessId}-{Guid.NewGuid():N}");
        using var tracked = TemporaryPaths.Track(staging);
        try
        {
            Directory.CreateDirectory(Path.Combine(staging, versionName));
            File.Copy(modelPath, Path.Combine(staging, versionName, ModelFileName));
            File.WriteAllText(Path.Combine(staging, TritonModelConfig.LabelFileName), string.Join('\n', labels) + "\n");
            File.WriteAllText(Path.Combine(staging, ConfigFileName), config.ToText());
            if (!Directory.Exists(target))
            {
                Directory.Move(staging, target);
                return new TritonExport(target, chosen, []);
            }
            foreach (var name in new[] { TritonModelConfig.LabelFileName, ConfigFileName })
            {
                if (Directory.Exists(Path.Combine(target, name)))
                {
                    throw new ToolchainException($"{Path.Combine(target, name)} is a folder; cannot replace it with a file");
                }
            }
            // A rename fails if another export took the version meanwhile: nothing is ever written over a version.
            Directory.Move(Path.Combine(staging, versionName), Path.Combine(target, versionName));
            foreach (var name in new[] { TritonModelConfig.LabelFileName, ConfigFileName })
            {
                File.Move(Path.Combine(staging, name), Path.Combine(target, name), overwrite: true);
            }
            return new TritonExport(target, chosen, [.. existing.Select(e => e.Version)]);
        }
        catch (Exception e) when ((e is IOException or UnauthorizedAccessException) && !TemporaryPaths.Ending)
        {
            throw new ToolchainException($"cannot write the Triton model folder {target}: {e.Message}", e);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }
}
