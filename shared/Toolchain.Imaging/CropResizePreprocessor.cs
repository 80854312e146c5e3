using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Toolchain.Contracts;

namespace Toolchain.Imaging;

/// <summary>
/// Brings an image to a model trained on image folders (<see cref="PixelConvention.AsStored"/>): decoded upright, alpha
/// composited over white, scaled so that it covers <see cref="Height"/>×<see cref="Width"/> (for a square size, the
/// shorter side becomes that size) with bilinear, antialiased resampling, then centre-cropped, as torchvision's
/// <c>Resize</c> plus <c>CenterCrop</c>. Grey (one channel) is ITU-R 601 luma, as PIL's <c>convert("L")</c>. The
/// result is bytes, channel-major (C×H×W). The trainer decodes its image folders with this same class, so what a
/// model saw in training is what it sees in inference. As an <see cref="IImagePreprocessor"/> it then normalises each
/// channel with its own mean and std. Stateless after construction and thread-safe.
/// </summary>
public sealed class CropResizePreprocessor : IImagePreprocessor
{
    private readonly double[] _means = [];
    private readonly double[] _stds = [];

    /// <summary>
    /// A preprocessor to <paramref name="channels"/> (1 or 3) × <paramref name="height"/> × <paramref name="width"/>;
    /// it normalises to [0,1] unless <see cref="Means"/> and <see cref="Stds"/> say otherwise.
    /// </summary>
    public CropResizePreprocessor(int channels, int height, int width, ImageLimits? limits = null)
    {
        if (channels is not (1 or 3))
        {
            throw new ToolchainException($"channels must be 1 or 3, not {channels}");
        }
        if (height < 1 || width < 1 || (long)height * width > 4096L * 4096)
        {
            throw new ToolchainException($"image size {height}×{width} is out of range");
        }
        Channels = channels;
        Height = height;
        Width = width;
        Limits = limits ?? ImageLimits.Default;
        _means = new double[channels];
        _stds = [.. Enumerable.Repeat(1.0, channels)];
    }

    /// <summary>The mean subtracted from each channel after scaling to [0,1]; one per channel, 0 by default.</summary>
    public IReadOnlyList<double> Means
    {
        get => _means;
        init => _means = PerChannel(value, nameof(Means), v => double.IsFinite(v), "finite");
    }

    /// <summary>What each channel is divided by after the mean is subtracted; one per channel, positive, 1 by default.</summary>
    public IReadOnlyList<double> Stds
    {
        get => _stds;
        init => _stds = PerChannel(value, nameof(Stds), v => v > 0, "positive");
    }

    private double[] PerChannel(IReadOnlyList<double> values, string name, Func<double, bool> valid, string what)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        if (values.Count != Channels || !values.All(valid))
        {
            throw new ToolchainException($"normalisation needs a {what} value in {name} for each of the {Channels} channels");
        }
        return [.. values];
    }

    /// <summary>Output channels: 1 (grey) or 3 (RGB).</summary>
    public int Channels { get; }
    /// <summary>Output height.</summary>
    public int Height { get; }
    /// <summary>Output width.</summary>
    public int Width { get; }
    /// <summary>What an image may cost; larger ones are refused before decoding.</summary>
    public ImageLimits Limits { get; }

    /// <summary>Values per image: <see cref="Channels"/> × <see cref="Height"/> × <see cref="Width"/>.</summary>
    public int OutputLength => Channels * Height * Width;

    /// <summary>Always <see cref="PreprocessingMode.Resize"/>: the picture is scaled and centre-cropped to the size.</summary>
    public PreprocessingMode Mode => PreprocessingMode.Resize;

    /// <inheritdoc />
    public void Process(ReadOnlySpan<byte> encoded, string name, Span<float> destination) => Normalize(ToBytes(encoded, name), destination);

    /// <inheritdoc />
    public void Normalize(ReadOnlySpan<byte> pixels, Span<float> destination)
    {
        if (pixels.Length % OutputLength != 0)
        {
            throw new ToolchainException($"expected whole {Channels}×{Height}×{Width} images ({OutputLength} values each), got {pixels.Length}");
        }
        var plane = Height * Width;
        for (var k = 0; k < pixels.Length / plane; k++)
        {
            var c = k % Channels;
            PixelNormalizer.Normalize(pixels.Slice(k * plane, plane), _means[c], _stds[c], destination.Slice(k * plane, plane));
        }
    }

    /// <summary>The C×H×W bytes of the image file at <paramref name="path"/>.</summary>
    public byte[] ToBytes(string path) => ToBytes(DigitPreprocessor.ReadFile(path, Limits), path);

    /// <summary>The C×H×W bytes of encoded image bytes; <paramref name="name"/> names them in errors.</summary>
    public byte[] ToBytes(ReadOnlySpan<byte> encoded, string name)
    {
        var output = new byte[OutputLength];
        using var image = DigitPreprocessor.Decode<Rgba32>(encoded, name, Limits);
        if (image.Width != Width || image.Height != Height)
        {
            image.Mutate(x => x.Resize(new ResizeOptions
            {
                Size = new Size(Width, Height),
                Mode = ResizeMode.Crop,
                Position = AnchorPositionMode.Center,
                Sampler = KnownResamplers.Triangle,
            }));
        }
        int plane = Width * Height;
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    var p = row[x];
                    // Transparent means paper: composite over white.
                    int a = p.A, r = Over(p.R, a), g = Over(p.G, a), b = Over(p.B, a);
                    int i = (y * Width) + x;
                    if (Channels == 3)
                    {
                        output[i] = (byte)r;
                        output[plane + i] = (byte)g;
                        output[(2 * plane) + i] = (byte)b;
                    }
                    else
                    {
                        output[i] = (byte)(((r * 299) + (g * 587) + (b * 114) + 500) / 1000);
                    }
                }
            }
        });
        return output;
    }

    /// <summary>
    /// Whether the image has colour: any pixel whose red, green and blue differ (a grey picture saved as RGB has none).
    /// </summary>
    public static bool HasColour(ReadOnlySpan<byte> encoded, string name, ImageLimits? limits = null)
    {
        using var image = DigitPreprocessor.Decode<Rgb24>(encoded, name, limits ?? ImageLimits.Default);
        bool colour = false;
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height && !colour; y++)
            {
                foreach (var p in rows.GetRowSpan(y))
                {
                    if (p.R != p.G || p.G != p.B)
                    {
                        colour = true;
                        break;
                    }
                }
            }
        });
        return colour;
    }

    /// <summary>
    /// The header of an image: its size, read without decoding pixels. Throws <see cref="InvalidInputFileException"/>
    /// for a file that is not a supported, intact image or is over <paramref name="limits"/>.
    /// </summary>
    public static (int Width, int Height) ReadHeader(ReadOnlySpan<byte> encoded, string name, ImageLimits? limits = null)
    {
        var info = DigitPreprocessor.Identify(encoded, name, limits ?? ImageLimits.Default);
        return (info.Width, info.Height);
    }

    private static int Over(int value, int alpha) => ((value * alpha) + (255 * (255 - alpha)) + 127) / 255;
}
