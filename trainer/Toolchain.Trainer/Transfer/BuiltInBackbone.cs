using Toolchain.Contracts;

namespace Toolchain.Trainer.Transfer;

/// <summary>
/// The backbone the trainer ships: ML.NET's ImageNet ResNet18 featurizer from the NuGet package
/// Microsoft.ML.DnnImageFeaturizer.ResNet18 (MIT), whose files the build copies beside the trainer under
/// <c>backbones/resnet18/</c> with the config <c>resnet18.json</c> (pinned SHA-256, BGR, ×255, minus the package's
/// mean image). Nothing is downloaded: when the copy is missing (a trainer built without it), the package in the
/// NuGet folder is used.
/// </summary>
public static class BuiltInBackbone
{
    /// <summary>The name users give it (<c>--backbone resnet18</c>, the default).</summary>
    public const string Name = "resnet18";

    private const string Package = "microsoft.ml.dnnimagefeaturizer.resnet18";
    private const string PackageVersion = "0.24.0";

    /// <summary>The folder beside the trainer holding the config and the files.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "backbones", Name);

    /// <summary>The shipped config, with its files found beside the trainer or in the NuGet package folder.</summary>
    public static BackboneConfig Config()
    {
        var path = Path.Combine(Folder, $"{Name}.json");
        if (!File.Exists(path))
        {
            throw new ToolchainException($"the built-in backbone's config {path} is missing; rebuild the trainer");
        }
        var config = BackboneConfig.Load(path);
        return config with
        {
            File = Locate(config.File!, "ResNet18Onnx"),
            MeanImage = config.MeanImage is { } m ? m with { File = Locate(m.File, "ResNetPrepOnnx") } : null,
        };
    }

    /// <summary>The file beside the trainer, else the same file in the NuGet package; refused in one line when neither exists.</summary>
    private static string Locate(string besideTrainer, string packageFolder)
    {
        if (File.Exists(besideTrainer))
        {
            return besideTrainer;
        }
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var inPackage = Path.Combine(root, Package, PackageVersion, "tools", "DnnImageModels", packageFolder, Path.GetFileName(besideTrainer));
        return File.Exists(inPackage)
            ? inPackage
            : throw new ToolchainException(
                $"the built-in backbone file {Path.GetFileName(besideTrainer)} is in neither {Path.GetDirectoryName(besideTrainer)} nor {Path.GetDirectoryName(inPackage)}; " +
                $"restore and rebuild the trainer (it comes from the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 {PackageVersion})");
    }
}
