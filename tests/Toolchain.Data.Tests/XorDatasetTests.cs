using Toolchain.Data;

namespace Toolchain.Data.Tests;

public sealed class XorDatasetTests
{
    [Fact]
    public void Seed_zero_reproduces_the_notebooks_first_point_exactly()
    {
        var (x, _) = XorDataset.Generate(0);

        Assert.Equal(1.1764052345967664, x[0]);
        Assert.Equal(1.0400157208367222, x[1]);
    }

    [Fact]
    public void Seed_zero_reproduces_the_notebooks_sum_of_all_800_values_exactly()
    {
        var (x, _) = XorDataset.Generate(0);

        Assert.Equal(800, x.Length);
        Assert.Equal(394.1174790976161, NumpySum(x));
    }

    /// <summary>
    /// <c>X.sum()</c> as numpy computes it: pairwise summation (blocks of at most 128 summed in eight lanes), which
    /// rounds differently from a left-to-right loop, so the notebook's printed sum is only reproduced this way.
    /// </summary>
    private static double NumpySum(ReadOnlySpan<double> a)
    {
        if (a.Length < 8)
        {
            var res = 0.0;
            foreach (var v in a)
            {
                res += v;
            }
            return res;
        }
        if (a.Length <= 128)
        {
            Span<double> r = stackalloc double[8];
            a[..8].CopyTo(r);
            var i = 8;
            for (; i < a.Length - a.Length % 8; i += 8)
            {
                for (var j = 0; j < 8; j++)
                {
                    r[j] += a[i + j];
                }
            }
            var res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < a.Length; i++)
            {
                res += a[i];
            }
            return res;
        }
        var n2 = a.Length / 2;
        n2 -= n2 % 8;
        return NumpySum(a[..n2]) + NumpySum(a[n2..]);
    }

    [Fact]
    public void Labels_are_one_zero_one_zero_per_blob_of_one_hundred()
    {
        var (_, y) = XorDataset.Generate(0);

        Assert.Equal(400, y.Length);
        double[] expected = [.. new[] { 1.0, 0.0, 1.0, 0.0 }.SelectMany(label => Enumerable.Repeat(label, 100))];
        Assert.Equal(expected, y);
    }

    [Fact]
    public void Each_blob_is_centred_on_its_corner()
    {
        var (x, _) = XorDataset.Generate(0);
        (double X, double Y)[] corners = [(1, 1), (1, 0), (0, 0), (0, 1)];

        for (var blob = 0; blob < 4; blob++)
        {
            var rows = Enumerable.Range(blob * 100, 100);
            Assert.Equal(corners[blob].X, rows.Average(r => x[2 * r]), 1);
            Assert.Equal(corners[blob].Y, rows.Average(r => x[2 * r + 1]), 1);
        }
    }

    [Fact]
    public void Another_seed_matches_numpy_too()
    {
        // np.random.seed(7), then the same four multivariate_normal calls: X[5, 1] and X[333, 0].
        var (x, _) = XorDataset.Generate(7);

        Assert.Equal(0.9828451738804279, x[2 * 5 + 1]);
        Assert.Equal(0.036412904290083085, x[2 * 333]);
    }

    [Fact]
    public void A_different_seed_gives_a_different_draw_and_the_same_seed_the_same_one()
    {
        var (a, _) = XorDataset.Generate(1);

        Assert.NotEqual(XorDataset.Generate(0).Features, a);
        Assert.Equal(XorDataset.Generate(1).Features, a);
    }
}
