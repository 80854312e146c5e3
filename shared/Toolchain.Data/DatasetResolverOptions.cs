namespace Toolchain.Data;

/// <summary>How <see cref="DatasetResolver"/> finds and fetches data; the defaults are the real catalog and network.</summary>
public sealed record DatasetResolverOptions
{
    /// <summary>The datasets known by name.</summary>
    public DatasetCatalog Catalog { get; init; } = DatasetCatalog.Default;

    /// <summary>Whether a missing catalog dataset may be downloaded. <c>trainer data info</c> turns this off.</summary>
    public bool AllowDownload { get; init; } = true;

    /// <summary>The downloader to use; null creates one with the default timeouts for the call.</summary>
    public DatasetDownloader? Downloader { get; init; }

    /// <summary>Receives download progress, if any download happens.</summary>
    public IProgress<DownloadProgress>? Progress { get; init; }

    /// <summary>Where the bundled sample is looked for when it is not under the data root; null walks up from here.</summary>
    public string? BundledSampleDirectory { get; init; }
}
