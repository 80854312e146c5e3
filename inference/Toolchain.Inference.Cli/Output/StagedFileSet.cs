using Toolchain.Cli.Output;
using Toolchain.Contracts;

namespace Toolchain.Inference.Cli.Output;

/// <summary>
/// Writes files that belong together (a report and its charts) so that a failure leaves the folder's previous complete
/// set as it was: the files are written into a hidden staging folder inside the target folder (so the moves are renames
/// on one file system) and moved in only once all of them are written, the report last.
/// </summary>
internal sealed class StagedFileSet : IDisposable
{
    private readonly string _staging;
    private readonly IDisposable _tracked;

    /// <summary>Creates <paramref name="directory"/> if needed and a staging folder inside it.</summary>
    public StagedFileSet(string directory)
    {
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
        _staging = Path.Combine(Directory, $".staging-{Environment.ProcessId}-{Guid.NewGuid():N}");
        _tracked = TemporaryPaths.Track(_staging);
        try
        {
            System.IO.Directory.CreateDirectory(_staging);
        }
        catch
        {
            _tracked.Dispose();
            throw;
        }
    }

    /// <summary>The folder the files end up in.</summary>
    public string Directory { get; }

    /// <summary>Where to write <paramref name="name"/> before <see cref="Commit"/>.</summary>
    public string StagingPath(string name) => Path.Combine(_staging, name);

    /// <summary>Where <paramref name="name"/> lies after <see cref="Commit"/>.</summary>
    public string FinalPath(string name) => Path.Combine(Directory, name);

    /// <summary>
    /// Moves every staged file into the folder, replacing older ones, with <paramref name="last"/> moved last. The old
    /// <paramref name="last"/> is removed first, so that even a commit cut short never shows a report beside charts
    /// that are not its own.
    /// </summary>
    public void Commit(string last)
    {
        // From here on the staged files are the new set: a signal must not delete them while the old set is replaced.
        _tracked.Dispose();
        var names = System.IO.Directory.GetFiles(_staging).Select(p => Path.GetFileName(p)).ToList();
        foreach (var name in names)
        {
            if (System.IO.Directory.Exists(FinalPath(name)))
            {
                throw new ToolchainException($"{FinalPath(name)} is a folder; cannot replace it with {name}");
            }
        }
        if (File.Exists(FinalPath(last)))
        {
            File.Delete(FinalPath(last));
        }
        foreach (var name in names.Where(n => n != last).Append(last))
        {
            File.Move(StagingPath(name), FinalPath(name), overwrite: true);
        }
    }

    /// <summary>Removes the staging folder and whatever is left in it.</summary>
    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(_staging, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Already gone, or not removable: a hidden leftover is better than failing a finished evaluation.
        }
        finally
        {
            _tracked.Dispose();
        }
    }
}
