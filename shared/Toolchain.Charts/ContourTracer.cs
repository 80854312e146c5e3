namespace Toolchain.Charts;

/// <summary>Finds where a function sampled on a grid crosses a level (marching squares), as line segments.</summary>
public static class ContourTracer
{
    /// <summary>
    /// Segments of the <paramref name="level"/> iso-line of <paramref name="values"/>, where
    /// <c>values[j, i]</c> is the value at (<paramref name="xs"/>[i], <paramref name="ys"/>[j]). Crossings on cell edges
    /// are placed by linear interpolation.
    /// </summary>
    public static List<(double X1, double Y1, double X2, double Y2)> Segments(double[] xs, double[] ys, double[,] values, double level)
    {
        var segments = new List<(double, double, double, double)>();
        Span<(double X, double Y)> hits = stackalloc (double, double)[4];
        for (int j = 0; j + 1 < ys.Length; j++)
        {
            for (int i = 0; i + 1 < xs.Length; i++)
            {
                // Corners counter-clockwise from bottom-left; edges k join corner k and k+1.
                Span<double> v = [values[j, i], values[j, i + 1], values[j + 1, i + 1], values[j + 1, i]];
                Span<double> cx = [xs[i], xs[i + 1], xs[i + 1], xs[i]];
                Span<double> cy = [ys[j], ys[j], ys[j + 1], ys[j + 1]];
                int count = 0;
                for (int k = 0; k < 4; k++)
                {
                    double a = v[k], b = v[(k + 1) % 4];
                    if ((a < level) != (b < level))
                    {
                        double t = (level - a) / (b - a);
                        hits[count++] = (cx[k] + (t * (cx[(k + 1) % 4] - cx[k])), cy[k] + (t * (cy[(k + 1) % 4] - cy[k])));
                    }
                }
                if (count == 2)
                {
                    segments.Add((hits[0].X, hits[0].Y, hits[1].X, hits[1].Y));
                }
                else if (count == 4)
                {
                    // A saddle: pair the crossings by the cell centre's side.
                    double centre = (v[0] + v[1] + v[2] + v[3]) / 4;
                    bool firstBelow = v[0] < level;
                    if ((centre < level) == firstBelow)
                    {
                        segments.Add((hits[0].X, hits[0].Y, hits[1].X, hits[1].Y));
                        segments.Add((hits[2].X, hits[2].Y, hits[3].X, hits[3].Y));
                    }
                    else
                    {
                        segments.Add((hits[0].X, hits[0].Y, hits[3].X, hits[3].Y));
                        segments.Add((hits[1].X, hits[1].Y, hits[2].X, hits[2].Y));
                    }
                }
            }
        }
        return segments;
    }
}
