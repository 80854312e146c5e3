using Toolchain.Data.Metrics;

namespace Toolchain.Data.Tests.Metrics;

public class ConfusionMatrixTests
{
    [Fact]
    public void Counts_land_in_row_true_class_column_predicted_class()
    {
        var m = ConfusionMatrix.From([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0], classCount: 3);

        Assert.Equal([[1L, 1, 0], [0, 1, 0], [1, 0, 2]], m.ToRows());
        Assert.Equal(6, m.Total);
        Assert.Equal(4, m.Correct);
        Assert.Equal(4.0 / 6, m.Accuracy, 12);
    }

    [Fact]
    public void Support_is_the_row_sum_and_predicted_count_the_column_sum()
    {
        var m = ConfusionMatrix.From([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0], classCount: 3);

        Assert.Equal([2L, 1, 3], Enumerable.Range(0, 3).Select(m.Support));
        Assert.Equal([2L, 2, 2], Enumerable.Range(0, 3).Select(m.PredictedCount));
    }

    [Fact]
    public void An_empty_matrix_has_accuracy_zero()
    {
        Assert.Equal(0, new ConfusionMatrix(3).Accuracy);
    }

    [Fact]
    public void A_class_id_outside_the_matrix_is_rejected()
    {
        var m = new ConfusionMatrix(2);

        Assert.Throws<ArgumentOutOfRangeException>(() => m.Add(2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Add(0, -1));
    }

    [Fact]
    public void Label_and_prediction_lists_of_different_lengths_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => ConfusionMatrix.From([0, 1], [0], 2));
    }
}
