using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using Toolchain.Contracts;

namespace Toolchain.TestSupport;

/// <summary>
/// A tiny colour model as the trainer writes one for an image folder: input [-1,3,32,32] float32, preprocessing
/// <see cref="PreprocessingMode.Resize"/> of pixels <see cref="PixelConvention.AsStored"/>, one mean and std per channel.
/// Class c ("red", "green", "blue") scores the mean of channel c, plus seeded noise on every weight so that an answer
/// also depends on where each value sits (a swapped channel order or a transposed plane changes the probabilities).
/// </summary>
public static class ColourTinyModel
{
    /// <summary>Channels of the input.</summary>
    public const int Channels = 3;

    /// <summary>Height and width of the input.</summary>
    public const int Side = 32;

    /// <summary>The class names, index = channel that lights the class.</summary>
    public static readonly IReadOnlyList<string> Labels = ["red", "green", "blue"];

    /// <summary>The card: per-channel normalisation that differs between channels, as a real colour set's does.</summary>
    public static ModelCard Card() => new()
    {
        Task = ModelTask.Multiclass,
        Labels = Labels,
        InputName = "input",
        InputLayout = InputLayout.Nchw,
        InputShape = [-1, Channels, Side, Side],
        ElementType = ElementType.Float32,
        OutputName = "logits",
        ProbabilitiesName = "probabilities",
        PixelConvention = PixelConvention.AsStored,
        Mean = 0.4,
        Std = 0.25,
        ChannelMeans = [0.5, 0.4, 0.3],
        ChannelStds = [0.2, 0.25, 0.3],
        PreprocessingMode = PreprocessingMode.Resize,
        DatasetName = "colours",
        Architecture = "flatten,linear(3)",
        Seed = 1,
    };

    /// <summary>Writes the model to <paramref name="path"/>.</summary>
    public static string Write(string path)
    {
        const int Plane = Side * Side;
        var rng = new Random(7);
        var weights = new float[Labels.Count * Channels * Plane];
        for (int c = 0; c < Labels.Count; c++)
        {
            for (int i = 0; i < Channels * Plane; i++)
            {
                float noise = ((float)rng.NextDouble() - 0.5f) / Plane;
                weights[(c * Channels * Plane) + i] = (i / Plane == c ? 4f / Plane : 0f) + noise;
            }
        }
        return TinyOnnxModels.WriteLinearClassifier(path, Channels, Side, Side, weights, Card());
    }

    /// <summary>
    /// A <paramref name="width"/>×<paramref name="height"/> picture mostly in <paramref name="colour"/>, with a diagonal
    /// gradient so that resizing and cropping matter, encoded by <paramref name="encoder"/> (default: an RGB PNG).
    /// </summary>
    public static byte[] Picture(Rgb24 colour, int width = 48, int height = 40, IImageEncoder? encoder = null)
    {
        using var image = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int shade = 60 * (x + y) / (width + height);
                image[x, y] = new Rgb24(Shade(colour.R, shade), Shade(colour.G, shade), Shade(colour.B, shade));
            }
        }
        using var stream = new MemoryStream();
        image.Save(stream, encoder ?? new PngEncoder { ColorType = PngColorType.Rgb });
        return stream.ToArray();
    }

    /// <summary>A grey (single-channel) PNG of the same gradient, as a user might send a colour model.</summary>
    public static byte[] GreyPicture(int width = 32, int height = 36)
    {
        using var image = new Image<L8>(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                image[x, y] = new L8((byte)(40 + (180 * (x + y) / (width + height))));
            }
        }
        using var stream = new MemoryStream();
        image.Save(stream, new PngEncoder { ColorType = PngColorType.Grayscale });
        return stream.ToArray();
    }

    private static byte Shade(byte value, int shade) => (byte)Math.Clamp(value + shade - 30, 0, 255);
}
