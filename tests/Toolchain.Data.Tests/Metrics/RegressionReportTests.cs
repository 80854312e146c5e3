using Toolchain.Data.Metrics;

namespace Toolchain.Data.Tests.Metrics;

/// <summary>R², MAE and RMSE against figures worked out by hand (scikit-learn's r2_score, mean_absolute_error and root mean squared error give the same).</summary>
public class RegressionReportTests
{
    [Fact]
    public void One_target_matches_the_hand_worked_figures()
    {
        // actual 3, −0.5, 2, 7; predicted 2.5, 0, 2, 8 (scikit-learn's r2_score example: 0.948608...).
        var report = RegressionReport.From([3, -0.5, 2, 7], [2.5, 0, 2, 8], 1);

        Assert.Equal(0.9486081370449679, report.MeanR2, 12);
        Assert.Equal(0.5, report.MeanMae, 12);
        Assert.Equal(Math.Sqrt(0.375), report.MeanRmse, 12);
    }

    [Fact]
    public void Several_targets_are_scored_each_and_averaged_uniformly()
    {
        // Row-major [rows, 2]: the first target predicted exactly, the second always off by 1 around a mean of 2.
        var report = RegressionReport.From([1, 1, 2, 2, 3, 3], [1, 2, 2, 3, 3, 4], 2);

        Assert.Equal([1.0, -0.5], report.R2);
        Assert.Equal([0.0, 1.0], report.Mae);
        Assert.Equal([0.0, 1.0], report.Rmse);
        Assert.Equal(0.25, report.MeanR2, 12);
        Assert.Equal(0.5, report.MeanRmse, 12);
    }

    [Fact]
    public void A_constant_target_scores_one_when_met_exactly_and_zero_otherwise_and_units_scale_only_the_errors()
    {
        Assert.Equal(1.0, RegressionReport.From([4, 4, 4], [4, 4, 4], 1).MeanR2);
        Assert.Equal(0.0, RegressionReport.From([4, 4, 4], [4, 5, 4], 1).MeanR2);

        var inUnits = RegressionReport.From([1, 2, 3], [1.5, 2, 2.5], 1).InUnits([10]);
        Assert.Equal(0.75, inUnits.MeanR2, 12);
        Assert.Equal(10.0 / 3, inUnits.MeanMae, 12);
    }
}
