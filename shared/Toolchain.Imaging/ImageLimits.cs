using System.Globalization;

namespace Toolchain.Imaging;

/// <summary>
/// What an image may cost before it is decoded: its file size, its pixel count and the length of either side. Every
/// limit is checked from the headers alone, so a forged or absurd image is refused before any pixel is allocated.
/// </summary>
/// <remarks>
/// The side limit exists because pixel count alone does not bound the cost: a 1×40,000,000 PNG is within 40 megapixels
/// but the decoder and the ink search then walk forty million rows (seconds of CPU for one 78 KB file).
/// </remarks>
public sealed class ImageLimits
{
    /// <summary>Limits for command-line use on the user's own files: 20 MB, 40 megapixels, 16,384 px per side.</summary>
    public static ImageLimits Default => new();

    /// <summary>
    /// Limits for a service that takes images from clients: 16 megapixels (a 12-megapixel phone photo fits) and 8,192 px
    /// per side, so one request costs at most a fraction of a second of decoding.
    /// </summary>
    public static ImageLimits Service => new() { MaxPixels = 16_000_000, MaxSide = 8_192 };

    /// <summary>Largest accepted encoded file, in bytes.</summary>
    public long MaxBytes { get; set; } = 20L * 1024 * 1024;

    /// <summary>Largest accepted width × height.</summary>
    public long MaxPixels { get; set; } = 40_000_000;

    /// <summary>Largest accepted width or height, in pixels.</summary>
    public int MaxSide { get; set; } = 16_384;

    /// <summary>The first problem with these limits, or null when they are usable.</summary>
    public string? Problem() =>
        MaxBytes < 1 ? $"MaxBytes must be at least 1 (got {MaxBytes})"
        : MaxPixels < 1 ? $"MaxPixels must be at least 1 (got {MaxPixels})"
        : MaxSide < 1 ? $"MaxSide must be at least 1 (got {MaxSide})"
        : null;

    /// <summary>Why an image of <paramref name="width"/>×<paramref name="height"/> is refused, or null when it fits.</summary>
    public string? SizeProblem(long width, long height)
    {
        if (width <= 0 || height <= 0)
        {
            return $"is a corrupt image (size {width}×{height})";
        }
        var pixels = width * height;
        if (pixels > MaxPixels)
        {
            return $"is {width}×{height} ({(pixels / 1e6).ToString("F1", CultureInfo.InvariantCulture)} megapixels), over the {Megapixels(MaxPixels)}-megapixel limit";
        }
        return width > MaxSide || height > MaxSide
            ? $"is {width}×{height} pixels, over the limit of {MaxSide.ToString("N0", CultureInfo.InvariantCulture)} px per side"
            : null;
    }

    /// <summary>Why a file of <paramref name="length"/> bytes is refused, or null when it fits.</summary>
    public string? LengthProblem(long length) =>
        length == 0 ? "is empty (0 bytes), not an image"
        : length > MaxBytes ? $"is {(length / 1024.0 / 1024.0).ToString("F1", CultureInfo.InvariantCulture)} MB, over the {Megabytes(MaxBytes)} MB limit"
        : null;

    private static string Megapixels(long pixels) => (pixels / 1e6).ToString("0.#", CultureInfo.InvariantCulture);

    private static string Megabytes(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0.#", CultureInfo.InvariantCulture);
}
