using Toolchain.Contracts;

namespace Toolchain.Data;

/// <summary>No mirror delivered a file with the right checksum. The message lists each mirror's failure and the way out.</summary>
public sealed class DatasetDownloadException : ToolchainException
{
    /// <summary>Creates the error; <paramref name="failures"/> pairs each mirror tried with why it failed.</summary>
    public DatasetDownloadException(string message, IReadOnlyList<(Uri Mirror, string Reason)> failures)
        : base(message)
    {
        Failures = failures;
    }

    /// <summary>Every mirror tried, in order, with the reason it failed.</summary>
    public IReadOnlyList<(Uri Mirror, string Reason)> Failures { get; }
}
