using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Toolchain.Shared.Errors;

namespace Toolchain.Inference.Imaging;

/// <summary>
/// Turns a user's image (PNG, JPEG, BMP or GIF, any colour type) into a model-ready 28×28 float input:
/// luminance with alpha over white, polarity to white-on-black, MNIST centring ("digit") or plain fit ("resize"),
/// then (x/255 - mean)/std. Refuses images over 40 megapixels or 20 MB before decoding them.
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
public sealed class DigitPreprocessor
{
    /// <summary>Largest accepted image, in pixels.</summary>
    public const long MaxPixels = 40_000_000;

    /// <summary>Largest accepted file, in bytes.</summary>
    public const long MaxBytes = 20L * 1024 * 1024;

    /// <summary>Values produced per image (28×28).</summary>
    public const int OutputLength = MnistFraming.Side * MnistFraming.Side;

    /// <summary>The modes <see cref="Mode"/> accepts.</summary>
    public static IReadOnlyList<string> Modes { get; } = ["digit", "resize", "raw"];

    private static readonly string[] SupportedFormats = ["PNG", "JPEG", "BMP", "GIF"];

    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G'];

    /// <summary>Creates a preprocessor for <paramref name="mode"/> ("digit", "resize" or "raw") with the model's normalisation.</summary>
    public DigitPreprocessor(string mode, double mean, double std)
    {
        if (!Modes.Contains(mode))
        {
            throw new ToolchainException($"unknown preprocessing mode '{mode}' (expected digit, resize or raw)");
        }
        if (!(std > 0) || !double.IsFinite(mean))
        {
            throw new ToolchainException("normalisation needs a finite mean and a positive std");
        }
        Mode = mode;
        Mean = mean;
        Std = std;
    }

    /// <summary>"digit", "resize" or "raw".</summary>
    public string Mode { get; }
    /// <summary>Normalisation mean.</summary>
    public double Mean { get; }
    /// <summary>Normalisation std.</summary>
    public double Std { get; }

    /// <summary>Preprocesses the image file at <paramref name="path"/> into <paramref name="destination"/> (784 floats).</summary>
    public void Process(string path, Span<float> destination) =>
        PixelNormalizer.Normalize(ToMnistBytes(path), Mean, Std, destination);

    /// <summary>Preprocesses encoded image bytes; <paramref name="name"/> is used in error messages.</summary>
    public void Process(ReadOnlySpan<byte> encoded, string name, Span<float> destination) =>
        PixelNormalizer.Normalize(ToMnistBytes(encoded, name), Mean, Std, destination);

    /// <summary>Preprocesses the image file at <paramref name="path"/> into <paramref name="destination"/> (784 doubles).</summary>
    public void Process(string path, Span<double> destination) =>
        PixelNormalizer.Normalize(ToMnistBytes(path), Mean, Std, destination);

    /// <summary>Preprocesses encoded image bytes into 784 doubles; <paramref name="name"/> is used in error messages.</summary>
    public void Process(ReadOnlySpan<byte> encoded, string name, Span<double> destination) =>
        PixelNormalizer.Normalize(ToMnistBytes(encoded, name), Mean, Std, destination);

    /// <summary>The 28×28 white-on-black bytes of the file at <paramref name="path"/>, before normalisation.</summary>
    public byte[] ToMnistBytes(string path) => ToMnistBytes(ReadFile(path), path);

    /// <summary>The 28×28 white-on-black bytes before normalisation, for inspection and tests.</summary>
    public byte[] ToMnistBytes(ReadOnlySpan<byte> encoded, string name)
    {
        using var image = Decode(encoded, name);
        if (Mode == "raw")
        {
            if (image.Width != MnistFraming.Side || image.Height != MnistFraming.Side)
            {
                throw new InvalidInputFileException(name,
                    $"is {image.Width}×{image.Height}; raw mode takes a 28×28 MNIST-style image (use digit or resize mode for others)");
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
        return Mode == "digit" ? MnistFraming.Digit(ink) : MnistFraming.Fit(ink);
    }

    /// <summary>Reads a file the user named, refusing directories, empty files and files over <see cref="MaxBytes"/>.</summary>
    public static byte[] ReadFile(string path)
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
            CheckSize(path, info.Length);
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

    private static void CheckSize(string name, long length)
    {
        if (length == 0)
        {
            throw new InvalidInputFileException(name, "is empty (0 bytes), not an image");
        }
        if (length > MaxBytes)
        {
            throw new InvalidInputFileException(name,
                $"is {(length / 1024.0 / 1024.0).ToString("F1", CultureInfo.InvariantCulture)} MB, over the {MaxBytes / 1024 / 1024} MB limit");
        }
    }

    /// <summary>
    /// Decodes a checked image to grey+alpha, upright as viewers show it: only a GIF's first frame is decoded (an
    /// animation's frames would multiply the cost past the pixel limit), and EXIF orientation, which phones use
    /// rather than turning the pixels, is applied.
    /// </summary>
    internal static Image<La16> Decode(ReadOnlySpan<byte> encoded, string name)
    {
        CheckSize(name, encoded.Length);
        IImageInfo? info;
        IImageFormat? format;
        try
        {
            // Identify reads headers only, so a forged 60000×60000 header costs nothing.
            info = Identify(encoded, out format);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // ImageSharp checks some PNG CRCs itself while identifying; the chunk walk words it like every other case.
            var pngProblem = encoded.StartsWith(PngSignature) ? EncodedImageCheck.PngProblem(encoded) : null;
            throw new InvalidInputFileException(name, pngProblem ?? $"is a corrupt image ({FirstLine(e)})", e);
        }
        if (info is null || format is null)
        {
            throw new InvalidInputFileException(name, "is not a supported image (expected PNG, JPEG, BMP or GIF content)");
        }
        if (!SupportedFormats.Contains(format.Name))
        {
            throw new InvalidInputFileException(name, $"is a {format.Name} image; only PNG, JPEG, BMP and GIF are supported");
        }
        if (info.Width <= 0 || info.Height <= 0)
        {
            throw new InvalidInputFileException(name, $"is a corrupt image (size {info.Width}×{info.Height})");
        }
        var pixels = (long)info.Width * info.Height;
        if (pixels > MaxPixels)
        {
            throw new InvalidInputFileException(name,
                $"is {info.Width}×{info.Height} ({(pixels / 1e6).ToString("F1", CultureInfo.InvariantCulture)} megapixels), over the {MaxPixels / 1_000_000}-megapixel limit");
        }
        var problem = format.Name switch
        {
            "PNG" => EncodedImageCheck.PngProblem(encoded),
            "JPEG" => EncodedImageCheck.JpegProblem(encoded),
            "GIF" => EncodedImageCheck.GifProblem(encoded),
            _ => EncodedImageCheck.BmpProblem(encoded, info.Width, info.Height, (int)info.Metadata.GetBmpMetadata().BitsPerPixel),
        };
        if (problem is not null)
        {
            throw new InvalidInputFileException(name, problem);
        }
        Image<La16>? image = null;
        try
        {
            image = format.Name == "GIF" ? Image.Load<La16>(encoded, new GifDecoder { DecodingMode = FrameDecodingMode.First }) : Image.Load<La16>(encoded);
            image.Mutate(x => x.AutoOrient());
            return image;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            image?.Dispose();
            throw new InvalidInputFileException(name, $"is a corrupt {format.Name} image ({FirstLine(e)})", e);
        }
    }

    private static unsafe IImageInfo? Identify(ReadOnlySpan<byte> encoded, out IImageFormat? format)
    {
        fixed (byte* p = encoded)
        {
            using var stream = new UnmanagedMemoryStream(p, encoded.Length);
            return Image.Identify(stream, out format);
        }
    }

    private static string FirstLine(Exception e)
    {
        var line = e.Message.Split('\n')[0].Trim();
        return line.Length == 0 ? e.GetType().Name : line;
    }
}
