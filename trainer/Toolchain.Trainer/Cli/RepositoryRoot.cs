namespace Toolchain.Trainer.Cli;

/// <summary>Finds the checkout the trainer runs in, so default paths (artifacts/, data/) work from any sub-folder.</summary>
public static class RepositoryRoot
{
    /// <summary>The nearest folder at or above <paramref name="start"/> holding Toolchain.sln, else <paramref name="start"/>.</summary>
    public static string Find(string? start = null)
    {
        var origin = Path.GetFullPath(start ?? Directory.GetCurrentDirectory());
        for (var dir = new DirectoryInfo(origin); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Toolchain.sln")))
            {
                return dir.FullName;
            }
        }
        return origin;
    }
}
