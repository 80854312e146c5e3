namespace Toolchain.Inference.Imaging;

/// <summary>
/// Turns a user's image (PNG, JPEG, BMP or GIF, any colour type) into a model-ready 28×28 float input:
/// luminance with alpha over white, polarity to white-on-black, MNIST centring ("digit") or plain fit ("resize"),
/// then (x/255 - mean)/std. Refuses images over 40 megapixels or 20 MB before decoding them.
/// </summary>
public sealed class DigitPreprocessor
{
    /// <summary>Largest accepted image, in pixels.</summary>
    public const long MaxPixels = 40_000_000;

    /// <summary>Largest accepted file, in bytes.</summary>
    public const long MaxBytes = 20L * 1024 * 1024;

    /// <summary>Creates a preprocessor for <paramref name="mode"/> ("digit", "resize" or "raw") with the model's normalisation.</summary>
    public DigitPreprocessor(string mode, double mean, double std)
    {
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
    public void Process(string path, Span<float> destination) => throw new NotImplementedException();

    /// <summary>Preprocesses encoded image bytes; <paramref name="name"/> is used in error messages.</summary>
    public void Process(ReadOnlySpan<byte> encoded, string name, Span<float> destination) => throw new NotImplementedException();

    /// <summary>The 28×28 white-on-black bytes before normalisation, for inspection and tests.</summary>
    public byte[] ToMnistBytes(ReadOnlySpan<byte> encoded, string name) => throw new NotImplementedException();
}
