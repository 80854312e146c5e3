namespace Toolchain.Data.Metrics;

/// <summary>
/// R², MAE and RMSE of a regression, per target and averaged over targets (as scikit-learn's r2_score,
/// mean_absolute_error and root mean squared error with <c>multioutput="uniform_average"</c>).
/// </summary>
/// <param name="R2">Coefficient of determination per target: 1 − residual sum of squares / total sum of squares about the mean.</param>
/// <param name="Mae">Mean absolute error per target.</param>
/// <param name="Rmse">Root mean squared error per target.</param>
public sealed record RegressionReport(double[] R2, double[] Mae, double[] Rmse)
{
    /// <summary>R² averaged over targets.</summary>
    public double MeanR2 => R2.Average();

    /// <summary>MAE averaged over targets.</summary>
    public double MeanMae => Mae.Average();

    /// <summary>RMSE averaged over targets.</summary>
    public double MeanRmse => Rmse.Average();

    /// <summary>
    /// The errors scaled by each target's <paramref name="stds"/>: figures computed in standardised units turned into
    /// the targets' own (R² does not change under an affine map of a target).
    /// </summary>
    public RegressionReport InUnits(IReadOnlyList<double> stds) =>
        new(R2, Mae.Select((v, t) => v * stds[t]).ToArray(), Rmse.Select((v, t) => v * stds[t]).ToArray());

    /// <summary>The report of row-major <paramref name="actual"/> and <paramref name="predicted"/> values, <paramref name="targets"/> per row.</summary>
    public static RegressionReport From(IReadOnlyList<double> actual, IReadOnlyList<double> predicted, int targets)
    {
        var sums = new Sums(targets);
        for (int i = 0; i < actual.Count; i++)
        {
            int t = i % targets;
            double error = actual[i] - predicted[i];
            sums.Squares[t] += error * error;
            sums.Absolute[t] += Math.Abs(error);
            // About the first row's value, which leaves R² as it is: targets such as timestamps (1.7e9 ± 1e3) would
            // otherwise lose their spread to rounding in the sum of squares.
            double centred = actual[i] - actual[t];
            sums.Sum[t] += centred;
            sums.SumOfSquares[t] += centred * centred;
        }
        sums.Rows += actual.Count / targets;
        return sums.Report();
    }

    /// <summary>Per-target sums over rows, so a split of any size can be scored a chunk at a time.</summary>
    /// <param name="targets">Targets per row.</param>
    public sealed class Sums(int targets)
    {
        /// <summary>Sum of squared errors per target.</summary>
        public double[] Squares { get; } = new double[targets];

        /// <summary>Sum of absolute errors per target.</summary>
        public double[] Absolute { get; } = new double[targets];

        /// <summary>Sum of the actual values per target.</summary>
        public double[] Sum { get; } = new double[targets];

        /// <summary>Sum of the squared actual values per target.</summary>
        public double[] SumOfSquares { get; } = new double[targets];

        /// <summary>Rows added.</summary>
        public long Rows { get; set; }

        /// <summary>
        /// The report of everything added. A target that does not vary over the rows scores 1 when predicted exactly
        /// and 0 otherwise, as scikit-learn's r2_score does.
        /// </summary>
        public RegressionReport Report()
        {
            int k = Squares.Length;
            double n = Math.Max(1, Rows);
            var r2 = new double[k];
            for (int t = 0; t < k; t++)
            {
                double total = SumOfSquares[t] - (Sum[t] * Sum[t] / n);
                r2[t] = total > 1e-12 * Math.Max(1, SumOfSquares[t]) ? 1 - (Squares[t] / total) : Squares[t] == 0 ? 1 : 0;
            }
            return new RegressionReport(r2, Absolute.Select(a => a / n).ToArray(), Squares.Select(s => Math.Sqrt(s / n)).ToArray());
        }
    }
}
