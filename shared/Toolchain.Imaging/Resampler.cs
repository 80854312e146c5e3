namespace Toolchain.Imaging;

/// <summary>
/// Separable resampling of float images: exact area averaging when shrinking (what MNIST's anti-aliasing amounts to,
/// and free of the aliasing a point sampler gives thin strokes), linear interpolation when enlarging.
/// </summary>
internal static class Resampler
{
    public static float[] Resize(float[] src, int width, int height, int newWidth, int newHeight)
    {
        var horizontal = new float[newWidth * height];
        var wx = Weights(width, newWidth);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < newWidth; x++)
            {
                var sum = 0f;
                foreach (var (index, weight) in wx[x])
                {
                    sum += src[(y * width) + index] * weight;
                }
                horizontal[(y * newWidth) + x] = sum;
            }
        }
        var result = new float[newWidth * newHeight];
        var wy = Weights(height, newHeight);
        for (var y = 0; y < newHeight; y++)
        {
            foreach (var (index, weight) in wy[y])
            {
                for (var x = 0; x < newWidth; x++)
                {
                    result[(y * newWidth) + x] += horizontal[(index * newWidth) + x] * weight;
                }
            }
        }
        return result;
    }

    /// <summary>For each output sample, the input samples it draws on and their weights (summing to 1).</summary>
    private static (int Index, float Weight)[][] Weights(int from, int to)
    {
        var weights = new (int, float)[to][];
        var scale = (double)from / to;
        for (var o = 0; o < to; o++)
        {
            var list = new List<(int, float)>();
            if (scale >= 1)
            {
                // Output pixel o covers input interval [o·scale, (o+1)·scale).
                var start = o * scale;
                var end = (o + 1) * scale;
                for (var i = (int)Math.Floor(start); i < Math.Min(from, (int)Math.Ceiling(end)); i++)
                {
                    var overlap = Math.Min(end, i + 1) - Math.Max(start, i);
                    if (overlap > 1e-9)
                    {
                        list.Add((i, (float)(overlap / scale)));
                    }
                }
            }
            else
            {
                var centre = Math.Clamp(((o + 0.5) * scale) - 0.5, 0, from - 1);
                var i0 = (int)Math.Floor(centre);
                var i1 = Math.Min(i0 + 1, from - 1);
                var t = (float)(centre - i0);
                list.Add((i0, 1 - t));
                if (i1 != i0)
                {
                    list.Add((i1, t));
                }
            }
            weights[o] = list.ToArray();
        }
        return weights;
    }
}
