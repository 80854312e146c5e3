namespace Toolchain.Shared.Data;

/// <summary>Where datasets live by default: the repository's <c>data/</c> folder, which also holds the bundled sample.</summary>
public static class DataPaths
{
    /// <summary>Environment variable that overrides the default data root.</summary>
    public const string RootVariable = "TOOLCHAIN_DATA";

    /// <summary>
    /// The default data root: <c>$TOOLCHAIN_DATA</c> if set, else the repository's <c>data/</c> folder (the first
    /// ancestor of the current directory, then of the executable, that holds <c>data/mnist-sample</c>), else
    /// <c>./data</c>.
    /// </summary>
    public static string DefaultRoot()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(RootVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }
        var sample = FindBundledSample();
        return sample is not null ? Path.GetDirectoryName(sample)! : Path.GetFullPath("data");
    }

    /// <summary>
    /// The repository's <c>data/mnist-sample</c> folder, found by walking up from the current directory and then
    /// from the executable's folder (tests and <c>dotnet run</c> start deep inside <c>bin/</c>); null if neither leads there.
    /// </summary>
    public static string? FindBundledSample()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "data", DatasetCatalog.MnistSample);
                if (IdxFileNames.AllPresent(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }
}
