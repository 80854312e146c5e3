namespace Toolchain.Data;

/// <summary>
/// Where datasets live by default: <c>./data</c>, resolved against the current directory like every relative path, so
/// an installed binary never assumes a checkout around it. Only the bundled sample is looked for in the checkout.
/// </summary>
public static class DataPaths
{
    /// <summary>Environment variable that overrides the default data root.</summary>
    public const string RootVariable = "TOOLCHAIN_DATA";

    /// <summary>The default data root: <c>$TOOLCHAIN_DATA</c> if set, else <c>data</c> in the current directory.</summary>
    public static string DefaultRoot()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(RootVariable);
        return Path.GetFullPath(string.IsNullOrWhiteSpace(fromEnvironment) ? "data" : fromEnvironment);
    }

    /// <summary>
    /// The checkout's <c>data/mnist-sample</c> folder, found by walking up from the current directory and then from the
    /// executable's folder (tests and <c>dotnet run</c> start deep inside <c>bin/</c>); null if neither leads there.
    /// The one search for a checkout: the sample ships with the sources, not with a binary, and is the offline
    /// fallback of <c>--dataset mnist-sample</c> and <c>auto</c> when the data root has no copy.
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
