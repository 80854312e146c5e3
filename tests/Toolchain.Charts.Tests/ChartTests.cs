using Toolchain.Charts;
using Toolchain.TestSupport;

namespace Toolchain.Charts.Tests;

public sealed class ChartTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_decision_boundary_asks_the_predictor_once_for_the_whole_grid_and_writes_a_png()
    {
        var path = _dir.File("boundary.png");
        double[] features = [0, 0, 1, 1, 0, 1, 1, 0];
        double[] labels = [1, 1, 0, 0];
        int calls = 0, points = 0;
        double[] Predict(double[] xy)
        {
            calls++;
            points = xy.Length / 2;
            return Enumerable.Range(0, points).Select(i => xy[2 * i] + xy[(2 * i) + 1] > 1 ? 0.9 : 0.1).ToArray();
        }
        DecisionBoundaryChart.Save(path, Predict, features, labels, "xor");
        Assert.Equal(1, calls);
        Assert.Equal((DecisionBoundaryChart.GridSize + 1) * (DecisionBoundaryChart.GridSize + 1), points);
        Assert.Equal((DecisionBoundaryChart.Width, DecisionBoundaryChart.Height), TestImages.PngSize(path));
    }

    [Fact]
    public void A_predictor_that_fails_leaves_no_file()
    {
        var path = _dir.File("boundary.png");
        Assert.Throws<InvalidOperationException>(() =>
            DecisionBoundaryChart.Save(path, _ => throw new InvalidOperationException("model broke"), [0, 0], [1], "t"));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_predictor_returning_the_wrong_count_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            DecisionBoundaryChart.Save(_dir.File("b.png"), _ => [0.5], [0, 0, 1, 1], [0, 1], "t"));
        Assert.Contains("predict returned 1 values", e.Message);
    }

    [Fact]
    public void The_grid_covers_the_points_with_a_margin()
    {
        var (xs, ys) = DecisionBoundaryChart.Grid([0, 0, 2, 4]);
        Assert.Equal(-0.5, xs[0], 12);
        Assert.Equal(2.5, xs[^1], 12);
        Assert.Equal(-1, ys[0], 12);
        Assert.Equal(5, ys[^1], 12);
        Assert.Equal(DecisionBoundaryChart.GridSize + 1, xs.Length);
    }

    [Fact]
    public void The_contour_of_a_plane_lies_where_the_plane_crosses_the_level()
    {
        double[] xs = [0, 1, 2, 3, 4], ys = [0, 1, 2];
        var values = new double[3, 5];
        for (int j = 0; j < 3; j++)
        {
            for (int i = 0; i < 5; i++)
            {
                values[j, i] = xs[i] / 4; // 0.5 at x = 2 exactly on grid, so use 0.4 to land inside cells
            }
        }
        var segments = ContourTracer.Segments(xs, ys, values, 0.4);
        Assert.Equal(2, segments.Count); // one per row of cells
        Assert.All(segments, s =>
        {
            Assert.Equal(1.6, s.X1, 12);
            Assert.Equal(1.6, s.X2, 12);
            Assert.NotEqual(s.Y1, s.Y2);
        });
    }

    [Fact]
    public void A_saddle_cell_gives_two_segments()
    {
        var values = new double[,] { { 1, 0 }, { 0, 1 } };
        var segments = ContourTracer.Segments([0, 1], [0, 1], values, 0.5);
        Assert.Equal(2, segments.Count);
    }
}
