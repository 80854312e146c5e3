namespace Toolchain.Data.Images;

/// <summary>How an image folder is read: channels, size, split, strictness, cache and progress.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>1 or 3, or null for 3 when any training image has colour, else 1.</summary>
    public int? Channels { get; init; }

    /// <summary>"N" or "HxW", or null for the images' own size when they share one, else the median capped at 64.</summary>
    public string? ImageSize { get; init; }

    /// <summary>The share split off for testing in the DIR/&lt;class&gt; layout (default 0.2).</summary>
    public double? TestFraction { get; init; }

    /// <summary>Seed of that split.</summary>
    public int SplitSeed { get; init; }

    /// <summary>Whether an unreadable image fails the load instead of being skipped.</summary>
    public bool Strict { get; init; }

    /// <summary>Folder for the decoded-tensor cache, or null for none.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Called with (done, total) as images are decoded, from any thread.</summary>
    public Action<int, int>? Progress { get; init; }

    /// <summary>The largest size chosen by default: bigger images are scaled down to it.</summary>
    public const int DefaultSizeCap = 64;

    /// <summary>The default test fraction.</summary>
    public const double DefaultTestFraction = 0.2;
}
