using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;

namespace Toolchain.Imaging;

/// <summary>
/// The two ImageSharp set-ups images are decoded with. GIF metadata (comments, application blocks) is never read and
/// only a GIF's first frame is decoded. The first set-up reads the other formats' metadata, which EXIF orientation needs;
/// the second ignores it, for files whose metadata is damaged but whose pixels are intact.
/// </summary>
internal static class ImageDecoders
{
    public static Configuration WithMetadata { get; } = Create(ignoreMetadata: false);

    public static Configuration WithoutMetadata { get; } = Create(ignoreMetadata: true);

    private static Configuration Create(bool ignoreMetadata)
    {
        // Not Configuration.Default.Clone(): a clone shares the default's format manager, so setting a decoder on it
        // would change every configuration in the process, the caller's included.
        // Only the five formats we decode: the others' readers are attack surface (TIFF's loops on a BigTIFF header).
        var configuration = new Configuration(
            new PngConfigurationModule(), new JpegConfigurationModule(), new GifConfigurationModule(), new BmpConfigurationModule(),
            new WebpConfigurationModule());
        var formats = configuration.ImageFormatsManager;
        formats.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = SixLabors.ImageSharp.Metadata.FrameDecodingMode.First, IgnoreMetadata = true });
        formats.SetDecoder(PngFormat.Instance, new PngDecoder { IgnoreMetadata = ignoreMetadata });
        formats.SetDecoder(JpegFormat.Instance, new JpegDecoder { IgnoreMetadata = ignoreMetadata });
        formats.SetDecoder(WebpFormat.Instance, new WebpDecoder { IgnoreMetadata = ignoreMetadata });
        return configuration;
    }
}
