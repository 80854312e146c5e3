using Toolchain.Contracts;

namespace Toolchain.Trainer.Transfer;

/// <summary>
/// Augmented views of a decoded picture (C×H×W bytes), made before it goes through the backbone so that their
/// activations can be cached: view 1 is the mirror image; later views are random resized crops (mirrored every other
/// view), with a small rotation and colour jitter under <c>standard</c>. A view depends only on the seed, the view and
/// the image, so a cache entry is reproducible.
/// </summary>
public static class ViewAugmentation
{
    /// <summary>The presets: none, light (mirror, mild crops) or standard (mirror, wider crops, ±10° rotation, colour jitter).</summary>
    public static readonly string[] Presets = ["none", "light", "standard"];

    /// <summary>The view maker of <paramref name="preset"/>, or null for none.</summary>
    public static Func<byte[], int, int, byte[]>? For(string preset, long seed) => preset switch
    {
        "none" => null,
        "light" => (pixels, view, image) => View(pixels, view, image, seed, minScale: 0.6, maxDegrees: 0, jitter: 0),
        "standard" => (pixels, view, image) => View(pixels, view, image, seed, minScale: 0.35, maxDegrees: 10, jitter: 0.2),
        _ => throw new ToolchainException($"--augment: unknown preset '{preset}' (known: {string.Join(", ", Presets)})"),
    };

    /// <summary>Square C×H×W pictures are assumed; the sides are read from the length (3 channels).</summary>
    private static byte[] View(byte[] pixels, int view, int image, long seed, double minScale, double maxDegrees, double jitter)
    {
        int side = (int)Math.Round(Math.Sqrt(pixels.Length / 3.0));
        int h = side, w = side, plane = h * w;
        var random = new SplitMix(unchecked(((ulong)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)view << 40) ^ (ulong)(uint)image));
        bool mirror = view % 2 == 1;
        // View 1 is the whole picture mirrored; later ones crop a random area share of the picture at a random aspect.
        double scale = view == 1 ? 1 : minScale + ((1 - minScale) * random.NextDouble());
        double aspect = view == 1 ? 1 : Math.Exp((random.NextDouble() - 0.5) * Math.Log(4.0 / 3.0) * 2);
        double cropW = Math.Min(1, Math.Sqrt(scale * aspect)) * w, cropH = Math.Min(1, Math.Sqrt(scale / aspect)) * h;
        double cx = (cropW / 2) + (random.NextDouble() * (w - cropW)), cy = (cropH / 2) + (random.NextDouble() * (h - cropH));
        double angle = view == 1 ? 0 : (random.NextDouble() - 0.5) * 2 * maxDegrees * Math.PI / 180;
        double brightness = 1 + ((random.NextDouble() - 0.5) * 2 * jitter), contrast = 1 + ((random.NextDouble() - 0.5) * 2 * jitter);
        double cos = Math.Cos(angle), sin = Math.Sin(angle), sx = cropW / w, sy = cropH / h;
        var output = new byte[pixels.Length];
        var means = new double[3];
        for (int c = 0; c < 3; c++)
        {
            long sum = 0;
            for (int i = 0; i < plane; i++)
            {
                sum += pixels[(c * plane) + i];
            }
            means[c] = (double)sum / plane;
        }
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                // Output pixel → offset from the centre, mirrored, scaled to the crop, rotated, moved to the crop's centre.
                double ox = (mirror ? (w - 1 - x) : x) - ((w - 1) / 2.0), oy = y - ((h - 1) / 2.0);
                double px = ox * sx, py = oy * sy;
                double srcX = cx - 0.5 + (cos * px) - (sin * py), srcY = cy - 0.5 + (sin * px) + (cos * py);
                for (int c = 0; c < 3; c++)
                {
                    double v = Bilinear(pixels, c * plane, w, h, srcX, srcY);
                    v = ((v - means[c]) * contrast) + means[c];
                    v *= brightness;
                    output[(c * plane) + (y * w) + x] = (byte)Math.Clamp(Math.Round(v), 0, 255);
                }
            }
        }
        return output;
    }

    /// <summary>SplitMix64: a fixed sequence for a seed on every machine and .NET version, unlike <see cref="Random"/>.</summary>
    private sealed class SplitMix(ulong state)
    {
        private ulong _state = state;

        public double NextDouble()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return ((z ^ (z >> 31)) >> 11) * (1.0 / (1UL << 53));
        }
    }

    /// <summary>Bilinear sample with the edge pixels repeated outside the picture.</summary>
    private static double Bilinear(byte[] p, int offset, int w, int h, double x, double y)
    {
        x = Math.Clamp(x, 0, w - 1);
        y = Math.Clamp(y, 0, h - 1);
        int x0 = (int)x, y0 = (int)y, x1 = Math.Min(x0 + 1, w - 1), y1 = Math.Min(y0 + 1, h - 1);
        double fx = x - x0, fy = y - y0;
        double top = (p[offset + (y0 * w) + x0] * (1 - fx)) + (p[offset + (y0 * w) + x1] * fx);
        double bottom = (p[offset + (y1 * w) + x0] * (1 - fx)) + (p[offset + (y1 * w) + x1] * fx);
        return (top * (1 - fy)) + (bottom * fy);
    }
}
