namespace Toolchain.Imaging;

/// <summary>Places an ink map into MNIST's 28×28 frame.</summary>
internal static class MnistFraming
{
    public const int Side = 28;

    /// <summary>The box the digit's longer side is scaled to, as in MNIST.</summary>
    public const int DigitBox = 20;

    /// <summary>MNIST's centre of mass, in pixel-index coordinates (measured: 14.00, 13.99 over its test set).</summary>
    public const double Centre = 14.0;

    /// <summary>
    /// The MNIST procedure: crop to the ink's bounding box, scale its longer side to 20 pixels keeping the aspect
    /// ratio (area-averaged), then shift it by whole pixels so its centre of mass lands on (14, 14).
    /// </summary>
    public static byte[] Digit(InkMap ink)
    {
        var (x0, y0, x1, y1) = InkBounds(ink);
        int bw = x1 - x0 + 1, bh = y1 - y0 + 1;
        var crop = new float[bw * bh];
        for (var y = 0; y < bh; y++)
        {
            Array.Copy(ink.Values, ((y + y0) * ink.Width) + x0, crop, y * bw, bw);
        }
        var scale = (double)DigitBox / Math.Max(bw, bh);
        var nw = Math.Clamp((int)Math.Round(bw * scale), 1, DigitBox);
        var nh = Math.Clamp((int)Math.Round(bh * scale), 1, DigitBox);
        var patch = Resampler.Resize(crop, bw, bh, nw, nh);

        double mass = 0, my = 0, mx = 0;
        for (var y = 0; y < nh; y++)
        {
            for (var x = 0; x < nw; x++)
            {
                var v = patch[(y * nw) + x];
                mass += v;
                my += v * y;
                mx += v * x;
            }
        }
        // Whole-pixel shift, as MNIST did, kept inside the frame so no ink is cut off.
        var top = Math.Clamp((int)Math.Round(Centre - (my / mass)), 0, Side - nh);
        var left = Math.Clamp((int)Math.Round(Centre - (mx / mass)), 0, Side - nw);
        return Place(patch, nw, nh, left, top);
    }

    /// <summary>Fits the whole picture into 28×28 keeping its aspect ratio, centred, padded with background.</summary>
    public static byte[] Fit(InkMap ink)
    {
        var scale = (double)Side / Math.Max(ink.Width, ink.Height);
        var nw = Math.Clamp((int)Math.Round(ink.Width * scale), 1, Side);
        var nh = Math.Clamp((int)Math.Round(ink.Height * scale), 1, Side);
        var patch = Resampler.Resize(ink.Values, ink.Width, ink.Height, nw, nh);
        return Place(patch, nw, nh, (Side - nw) / 2, (Side - nh) / 2);
    }

    /// <summary>Converts a 28×28 ink map as it is.</summary>
    public static byte[] AsIs(InkMap ink) => Place(ink.Values, ink.Width, ink.Height, 0, 0);

    /// <summary>
    /// The bounding box of the ink, ignoring at most 0.5% of its mass on each side so that specks of dirt or noise
    /// far from the digit do not stretch the box.
    /// </summary>
    internal static (int X0, int Y0, int X1, int Y1) InkBounds(InkMap ink)
    {
        var rows = new double[ink.Height];
        var cols = new double[ink.Width];
        double total = 0;
        for (var y = 0; y < ink.Height; y++)
        {
            for (var x = 0; x < ink.Width; x++)
            {
                var v = ink.Values[(y * ink.Width) + x];
                rows[y] += v;
                cols[x] += v;
                total += v;
            }
        }
        var (y0, y1) = Trim(rows, total * 0.005);
        var (x0, x1) = Trim(cols, total * 0.005);
        return (x0, y0, x1, y1);
    }

    private static (int First, int Last) Trim(double[] profile, double allowance)
    {
        int first = 0, last = profile.Length - 1;
        double dropped = 0;
        while (first < last && (profile[first] == 0 || dropped + profile[first] <= allowance))
        {
            dropped += profile[first++];
        }
        dropped = 0;
        while (last > first && (profile[last] == 0 || dropped + profile[last] <= allowance))
        {
            dropped += profile[last--];
        }
        return (first, last);
    }

    private static byte[] Place(float[] patch, int width, int height, int left, int top)
    {
        var frame = new byte[Side * Side];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                frame[((y + top) * Side) + x + left] = (byte)Math.Round(Math.Clamp(patch[(y * width) + x], 0, 1) * 255);
            }
        }
        return frame;
    }
}
