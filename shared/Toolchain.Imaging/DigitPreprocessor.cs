using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Toolchain.Contracts;

namespace Toolchain.Imaging;

/// <summary>
/// Turns a user's image (PNG, JPEG, BMP, GIF or WebP, any colour type) into a model-ready 28×28 float input:
/// luminance with alpha over white, polarity to white-on-black, MNIST centring ("digit") or plain fit ("resize"),
/// then (x/255 - mean)/std. Refuses images over its <see cref="ImageLimits"/> before decoding them.
/// Stateless after construction, so one instance serves concurrent callers.
/// </summary>
/// <remarks>
/// <para>Every mode first decodes to luminance, compositing alpha over white (a transparent background is paper).</para>
/// <para><b>digit</b>: if the border is mostly bright the picture is dark ink on light paper and is inverted; the
/// contrast is stretched so the paper (border median) is 0 and solid ink (median of clearly inked pixels) is 1, and
/// values under 20% are zeroed (JPEG ringing, paper texture). The ink's bounding box (ignoring up to 0.5% of the ink
/// mass per side, i.e. stray specks) is scaled, area-averaged, so its longer side is 20 px, then placed in 28×28 with
/// its centre of mass moved to pixel (14, 14) by a whole-pixel shift, as MNIST was built.</para>
/// <para><b>resize</b>: the same polarity and contrast handling, then the whole picture fitted into 28×28 with padding.</para>
/// <para><b>raw</b>: a 28×28 MNIST-style (white-on-black) image used as it is; any other size is refused.</para>
/// <para>An image with no ink standing out from its background is refused rather than classified.</para>
/// </remarks>
public sealed class DigitPreprocessor : IImagePreprocessor
{
    /// <summary>Values produced per image (28×28).</summary>
    public const int OutputLength = MnistFraming.Side * MnistFraming.Side;

    /// <summary>The formats decoded, as messages name them.</summary>
    internal const string SupportedList = "PNG, JPEG, BMP, GIF or WebP";

    private static readonly string[] SupportedFormats = ["PNG", "JPEG", "BMP", "GIF", "WebP"];

    /// <summary>
    /// Creates a preprocessor for <paramref name="mode"/> with the model's normalisation;
    /// images over <paramref name="limits"/> (default <see cref="ImageLimits.Default"/>) are refused before decoding.
    /// </summary>
    public DigitPreprocessor(PreprocessingMode mode, double mean, double std, ImageLimits? limits = null)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ToolchainException($"unknown preprocessing mode {(int)mode} (expected {EnumText.Choices<PreprocessingMode>()})");
        }
        if (!(std > 0) || !double.IsFinite(mean))
        {
            throw new ToolchainException("normalisation needs a finite mean and a positive std");
        }
        limits ??= ImageLimits.Default;
        if (limits.Problem() is { } problem)
        {
            throw new ToolchainException($"image limits: {problem}");
        }
        Mode = mode;
        Mean = mean;
        Std = std;
        Limits = limits;
    }

    /// <summary>How images are framed: none (as they are), digit or resize.</summary>
    public PreprocessingMode Mode { get; }
    /// <summary>Normalisation mean.</summary>
    public double Mean { get; }
    /// <summary>Normalisation std.</summary>
    public double Std { get; }
    /// <summary>What an image may cost; larger ones are refused before decoding.</summary>
    public ImageLimits Limits { get; }

    /// <inheritdoc />
    int IImagePreprocessor.OutputLength => OutputLength;

    /// <inheritdoc />
    public void Normalize(ReadOnlySpan<byte> pixels, Span<float> destination)
    {
        if (pixels.Length % OutputLength != 0)
        {
            throw new ToolchainException($"expected whole 28×28 images ({OutputLength} pixels each), got {pixels.Length} pixels");
        }
        PixelNormalizer.Normalize(pixels, Mean, Std, destination);
    }

    /// <summary>Preprocesses the image file at <paramref name="path"/> into <paramref name="destination"/> (784 floats).</summary>
    public void Process(string path, Span<float> destination) =>
        PixelNormalizer.Normalize(ToMnistBytes(path), Mean, Std, destination);

    /// <summary>Preprocesses encoded image bytes; <paramref name="name"/> is used in error messages.</summary>
    public void Process(ReadOnlySpan<byte> encoded, string name, Span<float> destination) =>
        PixelNormalizer.Normalize(ToMnistBytes(encoded, name), Mean, Std, destination);

    /// <summary>The 28×28 white-on-black bytes of the file at <paramref name="path"/>, before normalisation.</summary>
    internal byte[] ToMnistBytes(string path) => ToMnistBytes(ReadFile(path, Limits), path);

    /// <summary>The 28×28 white-on-black bytes before normalisation, for inspection and tests.</summary>
    internal byte[] ToMnistBytes(ReadOnlySpan<byte> encoded, string name)
    {
        using var image = Decode<La16>(encoded, name, Limits);
        if (Mode == PreprocessingMode.None)
        {
            if (image.Width != MnistFraming.Side || image.Height != MnistFraming.Side)
            {
                throw new InvalidInputFileException(name,
                    $"is {image.Width}×{image.Height}; mode none takes a 28×28 MNIST-style image as it is (use digit or resize mode for others)");
            }
            var raw = InkMap.Brightness(image);
            return MnistFraming.AsIs(raw);
        }
        var ink = InkMap.Brightness(image);
        ink.ToInk();
        if (!ink.Stretch())
        {
            throw new InvalidInputFileException(name, "has no digit: the image is blank (nothing stands out from the background)");
        }
        return Mode == PreprocessingMode.Digit ? MnistFraming.Digit(ink) : MnistFraming.Fit(ink);
    }

    /// <summary>Reads a file the user named, refusing directories, empty files and files over the limits' size.</summary>
    public static byte[] ReadFile(string path, ImageLimits? limits = null)
    {
        if (Directory.Exists(path))
        {
            throw new InvalidInputFileException(path, "is a directory, not an image");
        }
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new InvalidInputFileException(path, "no such file");
            }
            if (FileKindProbe.NotRegularProblem(path) is { } notRegular)
            {
                throw new InvalidInputFileException(path, notRegular);
            }
            if ((limits ?? ImageLimits.Default).LengthProblem(info.Length) is { } lengthProblem)
            {
                throw new InvalidInputFileException(path, lengthProblem);
            }
            return File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new InvalidInputFileException(path, $"cannot be read: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InvalidInputFileException(path, $"cannot be read: {e.Message}", e);
        }
    }

    /// <summary>
    /// Decodes a checked image to grey+alpha, upright as viewers show it: only a GIF's first frame is decoded (an
    /// animation's frames would multiply the cost past the pixel limit), and EXIF orientation, which phones use
    /// rather than turning the pixels, is applied.
    /// </summary>
    /// <summary>The header of a checked image, its pixels not decoded: every check <see cref="Decode"/> makes before decoding.</summary>
    internal static IImageInfo Identify(ReadOnlySpan<byte> encoded, string name, ImageLimits limits) =>
        Check(encoded, name, limits, out _, out _, out _);

    private static IImageInfo Check(ReadOnlySpan<byte> encoded, string name, ImageLimits limits, out byte[]? canonical,
        out Configuration decoders, out IImageFormat format)
    {
        if (limits.LengthProblem(encoded.Length) is { } lengthProblem)
        {
            throw new InvalidInputFileException(name, lengthProblem);
        }
        // The file's own signature decides which decoder may look at it: ImageSharp 2.1's TIFF reader loops forever on a
        // 28-byte BigTIFF while identifying (GHSA-wmxv-xphr-5c9g), so formats we refuse never reach it.
        var signature = FormatBySignature(encoded);
        switch (signature)
        {
            case null:
                throw new InvalidInputFileException(name, $"is not a supported image (expected {SupportedList} content)");
            case var other when !SupportedFormats.Contains(other):
                throw new InvalidInputFileException(name, $"is a {other} image, not one of {SupportedList}");
            case "BMP" when EncodedImageCheck.BmpHeaderProblem(encoded, limits) is { } bmpProblem:
                // Before identifying: ImageSharp 2.1 sizes a buffer from the header's pixel-data offset (its issue 3074).
                throw new InvalidInputFileException(name, bmpProblem);
        }
        // Before any decoder runs: the chunk walks bound what ImageSharp would otherwise inflate or allocate, and may
        // give the bytes to decode instead (a PNG without its oversized ancillary chunks, a WebP animation's first frame).
        canonical = null;
        var chunkProblem = signature switch
        {
            "PNG" => PngFile.Prepare(encoded, limits, out canonical),
            "WebP" => WebpFile.Prepare(encoded, limits, out canonical),
            _ => null,
        };
        if (chunkProblem is not null)
        {
            throw new InvalidInputFileException(name, chunkProblem);
        }
        if (canonical is not null)
        {
            encoded = canonical;
        }
        decoders = ImageDecoders.WithMetadata;
        IImageInfo? info;
        IImageFormat? found;
        try
        {
            // Identify reads headers only, so a forged 60000×60000 header costs nothing.
            info = Identify(decoders, encoded, out found);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Unreadable metadata (a JPEG's EXIF with an impossible count) must not cost a viewable picture.
            decoders = ImageDecoders.WithoutMetadata;
            try
            {
                info = Identify(decoders, encoded, out found);
            }
            catch (Exception again) when (again is not OutOfMemoryException)
            {
                throw Undecodable(name, FormatBySignature(encoded), "header", again);
            }
        }
        if (info is null || found is null)
        {
            throw new InvalidInputFileException(name, $"is not a supported image (expected {SupportedList} content)");
        }
        format = found;
        if (!SupportedFormats.Contains(format.Name, StringComparer.OrdinalIgnoreCase))
        {
            throw new InvalidInputFileException(name, $"is a {format.Name} image, not one of {SupportedList}");
        }
        if (limits.SizeProblem(info.Width, info.Height) is { } sizeProblem)
        {
            throw new InvalidInputFileException(name, sizeProblem);
        }
        var problem = format.Name switch
        {
            // Checked before identifying.
            "PNG" or "Webp" => null,
            "JPEG" => EncodedImageCheck.JpegProblem(encoded),
            "GIF" => EncodedImageCheck.GifProblem(encoded),
            _ => EncodedImageCheck.BmpProblem(encoded, info.Width, info.Height, (int)info.Metadata.GetBmpMetadata().BitsPerPixel),
        };
        if (problem is not null)
        {
            throw new InvalidInputFileException(name, problem);
        }
        return info;
    }

    internal static Image<TPixel> Decode<TPixel>(ReadOnlySpan<byte> encoded, string name, ImageLimits limits)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        var info = Check(encoded, name, limits, out var canonical, out var decoders, out var format);
        if (canonical is not null)
        {
            encoded = canonical;
        }
        try
        {
            try
            {
                return LoadUpright<TPixel>(decoders, encoded);
            }
            catch (Exception e) when (e is not OutOfMemoryException && decoders == ImageDecoders.WithMetadata)
            {
                // EXIF is parsed lazily: a damaged block can fail the load or only the orientation read after it.
                return LoadUpright<TPixel>(ImageDecoders.WithoutMetadata, encoded);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Undecodable(name, FormatBySignature(encoded), "pixels", e);
        }
    }

    /// <summary>
    /// The format a file's first bytes announce: the five we decode, the common ones we name when refusing them, or null.
    /// </summary>
    private static string? FormatBySignature(ReadOnlySpan<byte> encoded) =>
        PngFile.HasSignature(encoded) ? "PNG"
        : encoded.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) ? "JPEG"
        : encoded.StartsWith("GIF87a"u8) || encoded.StartsWith("GIF89a"u8) ? "GIF"
        : encoded.StartsWith("BM"u8) ? "BMP"
        : encoded.StartsWith("II*\0"u8) || encoded.StartsWith("MM\0*"u8) || encoded.StartsWith("II+\0"u8) || encoded.StartsWith("MM\0+"u8) ? "TIFF"
        : encoded.Length >= 12 && encoded.StartsWith("RIFF"u8) && encoded[8..12].SequenceEqual("WEBP"u8) ? "WebP"
        : encoded.Length >= 12 && encoded[4..8].SequenceEqual("ftyp"u8) ? (encoded[8..12].SequenceEqual("avif"u8) || encoded[8..12].SequenceEqual("avis"u8) ? "AVIF" : "HEIF")
        : encoded.StartsWith((ReadOnlySpan<byte>)[0xFF, 0x0A]) || encoded.StartsWith((ReadOnlySpan<byte>)[0, 0, 0, 0x0C, (byte)'J', (byte)'X', (byte)'L', (byte)' ']) ? "JPEG XL"
        : encoded.StartsWith((ReadOnlySpan<byte>)[0, 0, 1, 0]) ? "ICO"
        : encoded.StartsWith("8BPS"u8) ? "PSD"
        : encoded.StartsWith("%PDF"u8) ? "PDF"
        : encoded.StartsWith("<svg"u8) || encoded.StartsWith("<?xml"u8) ? "SVG"
        : null;

    private static Image<TPixel> LoadUpright<TPixel>(Configuration decoders, ReadOnlySpan<byte> encoded)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        var image = Image.Load<TPixel>(decoders, encoded);
        try
        {
            image.Mutate(x => x.AutoOrient());
            return image;
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Words a decoder failure for the user. ImageSharp's own format exceptions say what is wrong with the file; other
    /// exceptions from inside a decoder (null references, index and argument errors on fuzzed files) are its bugs,
    /// whose text means nothing to the user, so only the format and the stage are told. The exception stays attached
    /// as the inner exception for logs.
    /// </summary>
    private static InvalidInputFileException Undecodable(string name, string? format, string stage, Exception e)
    {
        var what = format is null ? "image" : $"{format} image";
        var problem = e switch
        {
            ImageFormatException => $"is a corrupt {what} ({FirstLine(e)})",
            NotSupportedException => $"is a {what} in a form that is not supported ({FirstLine(e)})",
            _ => $"is a corrupt {what} (its {stage} cannot be decoded)",
        };
        return new InvalidInputFileException(name, problem, e);
    }

    private static unsafe IImageInfo? Identify(Configuration decoders, ReadOnlySpan<byte> encoded, out IImageFormat? format)
    {
        fixed (byte* p = encoded)
        {
            using var stream = new UnmanagedMemoryStream(p, encoded.Length);
            return Image.Identify(decoders, stream, out format);
        }
    }

    private static string FirstLine(Exception e)
    {
        var line = e.Message.Split('\n')[0].Trim();
        return line.Length == 0 ? e.GetType().Name : line;
    }
}
