using static TorchSharp.torch;

namespace Toolchain.Trainer.Training;

/// <summary>
/// R², MAE and RMSE of a regression, per target and averaged over targets (as scikit-learn's r2_score and
/// mean_absolute_error with <c>multioutput="uniform_average"</c>), from predictions and targets in standardised units;
/// <see cref="InUnits"/> turns the errors into the targets' own units (R² does not change under that map).
/// </summary>
/// <param name="R2">Coefficient of determination per target: 1 − residual sum of squares / total sum of squares.</param>
/// <param name="Mae">Mean absolute error per target.</param>
/// <param name="Rmse">Root mean squared error per target.</param>
public sealed record RegressionScores(double[] R2, double[] Mae, double[] Rmse)
{
    /// <summary>R² averaged over targets.</summary>
    public double MeanR2 => R2.Average();

    /// <summary>MAE averaged over targets.</summary>
    public double MeanMae => Mae.Average();

    /// <summary>RMSE averaged over targets.</summary>
    public double MeanRmse => Rmse.Average();

    /// <summary>The errors scaled by each target's standard deviation: the figures in the targets' own units.</summary>
    public RegressionScores InUnits(IReadOnlyList<double> stds) =>
        new(R2, Mae.Select((v, t) => v * stds[t]).ToArray(), Rmse.Select((v, t) => v * stds[t]).ToArray());

    /// <summary>Sums over chunks of rows, so a split of any size is scored one chunk at a time.</summary>
    public sealed class Accumulator(int targets)
    {
        private readonly double[] _squares = new double[targets];
        private readonly double[] _absolute = new double[targets];
        private readonly double[] _sum = new double[targets];
        private readonly double[] _sumOfSquares = new double[targets];
        private long _rows;

        /// <summary>Adds predictions <paramref name="output"/> for <paramref name="target"/>, both [rows, targets].</summary>
        public void Add(Tensor output, Tensor target)
        {
            using var scope = NewDisposeScope();
            var error = output.to(float64).sub(target.to(float64));
            var y = target.to(float64);
            Accumulate(_squares, error.square().sum(0L));
            Accumulate(_absolute, error.abs().sum(0L));
            Accumulate(_sum, y.sum(0L));
            Accumulate(_sumOfSquares, y.square().sum(0L));
            _rows += output.shape[0];
        }

        /// <summary>The scores of everything added. A target that does not vary over the rows scores R² 0 when predicted exactly, else as scikit-learn does (minus infinity is reported as 0 below a perfect fit).</summary>
        public RegressionScores Scores()
        {
            int k = _squares.Length;
            double n = Math.Max(1, _rows);
            var r2 = new double[k];
            for (int t = 0; t < k; t++)
            {
                double total = _sumOfSquares[t] - (_sum[t] * _sum[t] / n);
                // A test split whose target does not vary: scikit-learn gives 1 for a perfect fit and 0 otherwise.
                r2[t] = total > 1e-12 * Math.Max(1, _sumOfSquares[t]) ? 1 - (_squares[t] / total) : _squares[t] == 0 ? 1 : 0;
            }
            return new RegressionScores(r2, _absolute.Select(a => a / n).ToArray(), _squares.Select(s => Math.Sqrt(s / n)).ToArray());
        }

        private static void Accumulate(double[] into, Tensor perTarget)
        {
            var values = perTarget.data<double>().ToArray();
            for (int t = 0; t < into.Length; t++)
            {
                into[t] += values[t];
            }
        }
    }
}
