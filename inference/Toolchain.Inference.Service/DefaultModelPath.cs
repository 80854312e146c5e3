namespace Toolchain.Inference.Service;

/// <summary>Where the service looks for its model when no <c>--model</c> is given: the CNN that <c>make train</c> writes.</summary>
internal static class DefaultModelPath
{
    public const string RelativeToRepository = "artifacts/cnn/model.onnx";

    /// <summary>
    /// artifacts/cnn/model.onnx under the repository root, found by walking up from the working directory and then
    /// from the executable to the folder holding Toolchain.sln; relative to the working directory if neither finds it.
    /// </summary>
    public static string Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Toolchain.sln")))
                {
                    return Path.Combine(dir.FullName, RelativeToRepository);
                }
            }
        }
        return Path.GetFullPath(RelativeToRepository);
    }
}
