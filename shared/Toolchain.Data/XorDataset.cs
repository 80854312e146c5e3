namespace Toolchain.Data;

/// <summary>The notebook's four-blob XOR data, bit-exact with numpy's legacy RandomState.</summary>
public static class XorDataset
{
    /// <summary>The dataset's one name: what <c>--dataset</c> takes, what the card records and what both CLIs print.</summary>
    public const string Name = "xor";

    /// <summary>Points drawn around each centre.</summary>
    public const int PointsPerBlob = 100;

    /// <summary>Standard deviation of each coordinate: the notebook's covariance is 0.01·I.</summary>
    public const double Spread = 0.1;

    /// <summary>The blob centres in the notebook's order, with the class of each blob.</summary>
    public static IReadOnlyList<(double X, double Y, double Label)> Blobs { get; } =
    [
        (1.0, 1.0, 1.0),
        (1.0, 0.0, 0.0),
        (0.0, 0.0, 1.0),
        (0.0, 1.0, 0.0),
    ];

    /// <summary>
    /// 400 points, 100 around each of [1,1], [1,0], [0,0], [0,1] (mean + 0.1·z), labels 1, 0, 1, 0 per blob.
    /// Features are 400×2, row-major.
    /// </summary>
    /// <remarks>
    /// <c>np.random.multivariate_normal(c, 0.01*I, 100)</c> draws a (100, 2) block of standard normals row-major and
    /// multiplies it by <c>sqrt(s)·v</c> from the SVD of the covariance, which for 0.01·I is exactly
    /// <c>diag(0.1, 0.1)</c> (sqrt(0.01) rounds to the double 0.1), so each value is <c>c + z * 0.1</c> in doubles.
    /// </remarks>
    public static (double[] Features, double[] Labels) Generate(uint seed = 0)
    {
        var random = new LegacyRandomState(seed);
        var features = new double[Blobs.Count * PointsPerBlob * 2];
        var labels = new double[Blobs.Count * PointsPerBlob];
        var row = 0;
        foreach (var (cx, cy, label) in Blobs)
        {
            for (var i = 0; i < PointsPerBlob; i++, row++)
            {
                // Same evaluation as numpy: (z · 0.1) + centre, each step rounded to double.
                var zx = random.NextGaussian() * Spread;
                var zy = random.NextGaussian() * Spread;
                features[2 * row] = zx + cx;
                features[2 * row + 1] = zy + cy;
                labels[row] = label;
            }
        }
        return (features, labels);
    }
}
