namespace Toolchain.Cli.Output;

/// <summary>
/// The folders on the way to an output folder that do not exist yet when a command starts. Disposing removes those
/// that exist by then and are empty, deepest first: a command that fails before writing anything leaves no empty
/// <c>--out</c> folder behind, and one that wrote its files keeps them (a folder with files is never removed).
/// </summary>
public sealed class CreatedFolders : IDisposable
{
    private readonly List<string> _missing;

    private CreatedFolders(List<string> missing) => _missing = missing;

    /// <summary>Notes which of <paramref name="path"/> and the folders above it are missing now.</summary>
    public static CreatedFolders Track(string path)
    {
        var missing = new List<string>();
        for (var p = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)); p is not null && !Path.Exists(p); p = Path.GetDirectoryName(p))
        {
            missing.Add(p);
        }
        return new CreatedFolders(missing);
    }

    /// <summary>Removes the noted folders that now exist and are empty, stopping at the first that is not.</summary>
    public void Dispose()
    {
        foreach (var folder in _missing)
        {
            try
            {
                if (!Directory.Exists(folder) || Directory.EnumerateFileSystemEntries(folder).Any())
                {
                    return;
                }
                Directory.Delete(folder);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return; // something else is writing there: leave it
            }
        }
    }
}
