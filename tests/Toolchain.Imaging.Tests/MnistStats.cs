namespace Toolchain.Imaging.Tests;

/// <summary>Measurements of a 28×28 white-on-black image, as MNIST's construction defines them.</summary>
internal static class MnistStats
{
    public static (double Y, double X) CentreOfMass(byte[] image)
    {
        double mass = 0, my = 0, mx = 0;
        for (var i = 0; i < 784; i++)
        {
            mass += image[i];
            my += image[i] * (i / 28);
            mx += image[i] * (i % 28);
        }
        return (my / mass, mx / mass);
    }

    public static (int Width, int Height) InkBox(byte[] image)
    {
        int x0 = 28, y0 = 28, x1 = -1, y1 = -1;
        for (var i = 0; i < 784; i++)
        {
            if (image[i] > 0)
            {
                x0 = Math.Min(x0, i % 28);
                x1 = Math.Max(x1, i % 28);
                y0 = Math.Min(y0, i / 28);
                y1 = Math.Max(y1, i / 28);
            }
        }
        return (x1 - x0 + 1, y1 - y0 + 1);
    }

    public static double Correlation(byte[] a, byte[] b)
    {
        double ma = a.Average(v => (double)v), mb = b.Average(v => (double)v);
        double sab = 0, saa = 0, sbb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.Sqrt(saa * sbb);
    }

    public static double BestCorrelationWithinOnePixel(byte[] original, byte[] candidate)
    {
        var best = double.MinValue;
        for (var dy = -1; dy <= 1; dy++)
        {
            for (var dx = -1; dx <= 1; dx++)
            {
                var shifted = new byte[784];
                for (var y = 0; y < 28; y++)
                {
                    for (var x = 0; x < 28; x++)
                    {
                        int sy = y + dy, sx = x + dx;
                        if (sy is >= 0 and < 28 && sx is >= 0 and < 28)
                        {
                            shifted[(y * 28) + x] = candidate[(sy * 28) + sx];
                        }
                    }
                }
                best = Math.Max(best, Correlation(original, shifted));
            }
        }
        return best;
    }
}
