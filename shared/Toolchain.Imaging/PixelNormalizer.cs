namespace Toolchain.Imaging;

/// <summary>
/// Turns 8-bit white-on-black pixels into model input: (p/255 − mean)/std, computed in double and rounded once, so
/// every consumer (evaluation over IDX files, image preprocessing) feeds the model identical values.
/// </summary>
internal static class PixelNormalizer
{
    /// <summary>Normalises <paramref name="pixels"/> into <paramref name="destination"/> (same length) as float32.</summary>
    public static void Normalize(ReadOnlySpan<byte> pixels, double mean, double std, Span<float> destination)
    {
        CheckArguments(pixels.Length, std, destination.Length);
        Span<float> table = stackalloc float[256];
        for (var v = 0; v < 256; v++)
        {
            table[v] = (float)(((v / 255.0) - mean) / std);
        }
        for (var i = 0; i < pixels.Length; i++)
        {
            destination[i] = table[pixels[i]];
        }
    }

    private static void CheckArguments(int pixels, double std, int destination)
    {
        if (destination < pixels)
        {
            throw new ArgumentException($"destination holds {destination} values but there are {pixels} pixels", nameof(destination));
        }
        if (!(std > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(std), std, "std must be positive");
        }
    }
}
