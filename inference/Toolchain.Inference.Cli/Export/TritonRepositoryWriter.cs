using Toolchain.Contracts;
using Toolchain.Shared.Errors;

namespace Toolchain.Inference.Cli.Export;

/// <summary>
/// Writes one model into a Triton model repository: <c>REPO/NAME/1/model.onnx</c>, <c>REPO/NAME/config.pbtxt</c> and
/// <c>REPO/NAME/labels.txt</c>. The folder is built in a hidden staging folder inside REPO and renamed into place, so a
/// server polling the repository never sees half of it; a model folder that already exists keeps its other versions
/// and gets each file replaced by a rename, the configuration last.
/// </summary>
internal static class TritonRepositoryWriter
{
    /// <summary>The version folder the export writes.</summary>
    public const string Version = "1";

    /// <summary>The file name Triton's ONNX Runtime backend loads from a version folder.</summary>
    public const string ModelFileName = "model.onnx";

    /// <summary>The configuration file name.</summary>
    public const string ConfigFileName = "config.pbtxt";

    /// <summary>Writes the model folder and returns its path.</summary>
    public static string Write(string repository, TritonModelConfig config, string modelPath, IReadOnlyList<string> labels)
    {
        var repo = Path.GetFullPath(repository);
        Directory.CreateDirectory(repo);
        var target = Path.Combine(repo, config.Name);
        if (File.Exists(target))
        {
            throw new ToolchainException($"{target} is a file, not a model folder");
        }
        var staging = Path.Combine(repo, $".{config.Name}.staging-{Environment.ProcessId}-{Guid.NewGuid():N}");
        using var tracked = TemporaryPaths.Track(staging);
        try
        {
            Directory.CreateDirectory(Path.Combine(staging, Version));
            File.Copy(modelPath, Path.Combine(staging, Version, ModelFileName));
            File.WriteAllText(Path.Combine(staging, TritonModelConfig.LabelFileName), string.Join('\n', labels) + "\n");
            File.WriteAllText(Path.Combine(staging, ConfigFileName), config.ToText());
            if (!Directory.Exists(target))
            {
                Directory.Move(staging, target);
                return target;
            }
            Directory.CreateDirectory(Path.Combine(target, Version));
            foreach (var name in new[] { Path.Combine(Version, ModelFileName), TritonModelConfig.LabelFileName, ConfigFileName })
            {
                if (Directory.Exists(Path.Combine(target, name)))
                {
                    throw new ToolchainException($"{Path.Combine(target, name)} is a folder; cannot replace it with a file");
                }
                File.Move(Path.Combine(staging, name), Path.Combine(target, name), overwrite: true);
            }
            return target;
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
