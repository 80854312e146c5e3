namespace Toolchain.Inference.Cli.Evaluation;

/// <summary>Finds the folder that holds the datasets (the repository's <c>data/</c>) when the user names none.</summary>
internal static class DataRoot
{
    /// <summary>Environment variable that overrides the search.</summary>
    public const string Variable = "TOOLCHAIN_DATA";

    public static string Find(string? explicitRoot, string modelPath)
    {
        if (!string.IsNullOrEmpty(explicitRoot))
        {
            return explicitRoot;
        }
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }
        // The model usually lives under artifacts/ beside data/; the working directory and the program's own
        // folder cover running from the repository root and from a build output.
        var starts = new[] { Directory.GetCurrentDirectory(), Path.GetDirectoryName(Path.GetFullPath(modelPath)), AppContext.BaseDirectory };
        foreach (var start in starts)
        {
            for (var dir = start is null ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "data");
                if (Directory.Exists(Path.Combine(candidate, "mnist-sample")))
                {
                    return candidate;
                }
            }
        }
        return "data";
    }
}
