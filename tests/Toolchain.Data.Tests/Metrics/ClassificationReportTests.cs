using Toolchain.Data.Metrics;

namespace Toolchain.Data.Tests.Metrics;

public class ClassificationReportTests
{
    // Rows are true classes, columns predictions. Class "c" is never predicted; class "d" never occurs.
    private static readonly long[,] Counts =
    {
        { 2, 1, 0, 0 },
        { 0, 2, 0, 1 },
        { 1, 0, 0, 0 },
        { 0, 0, 0, 0 },
    };

    private static ClassificationReport Report() =>
        ClassificationReport.From(ConfusionMatrix.FromCounts(Counts), ["a", "b", "c", "d"]);

    [Fact]
    public void Per_class_scores_match_the_hand_computed_values()
    {
        var r = Report();

        Assert.Equal(2.0 / 3, r.Classes[0].Precision, 12);
        Assert.Equal(2.0 / 3, r.Classes[0].Recall, 12);
        Assert.Equal(2.0 / 3, r.Classes[0].F1, 12);
        Assert.Equal(3, r.Classes[0].Support);
        Assert.Equal(2.0 / 3, r.Classes[1].Precision, 12);
        Assert.Equal(2.0 / 3, r.Classes[1].Recall, 12);
        Assert.Equal(3, r.Classes[1].Support);
    }

    [Fact]
    public void A_class_that_is_never_predicted_has_precision_zero_not_nan()
    {
        var c = Report().Classes[2];

        Assert.Equal(new ClassScores("c", 0, 0, 0, 1), c);
    }

    [Fact]
    public void A_class_without_examples_has_recall_zero_and_support_zero()
    {
        var d = Report().Classes[3];

        Assert.Equal(new ClassScores("d", 0, 0, 0, 0), d);
    }

    [Fact]
    public void Macro_average_leaves_out_classes_that_neither_occur_nor_are_predicted()
    {
        // Three classes in use out of five outputs, as a 3-class dataset on a 10-output model gives.
        long[,] counts =
        {
            { 4, 0, 0, 0, 0 },
            { 0, 3, 1, 0, 0 },
            { 0, 0, 2, 0, 0 },
            { 0, 0, 0, 0, 0 },
            { 0, 0, 0, 0, 0 },
        };

        var r = ClassificationReport.From(ConfusionMatrix.FromCounts(counts), ["a", "b", "c", "d", "e"]);

        Assert.Equal((1 + 1 + (2.0 / 3)) / 3, r.MacroAverage.Precision, 12);
        Assert.Equal((1 + 0.75 + 1) / 3, r.MacroAverage.Recall, 12);
        Assert.Equal(5, r.Classes.Count);
        Assert.Equal(new ClassScores("e", 0, 0, 0, 0), r.Classes[4]);
    }

    [Fact]
    public void Macro_average_counts_every_class_equally_even_without_support()
    {
        var macro = Report().MacroAverage;

        Assert.Equal((2.0 / 3 + 2.0 / 3) / 4, macro.Precision, 12);
        Assert.Equal((2.0 / 3 + 2.0 / 3) / 4, macro.Recall, 12);
        Assert.Equal((2.0 / 3 + 2.0 / 3) / 4, macro.F1, 12);
        Assert.Equal(7, macro.Support);
    }

    [Fact]
    public void Weighted_average_weights_each_class_by_its_support()
    {
        var weighted = Report().WeightedAverage;

        Assert.Equal(4.0 / 7, weighted.Precision, 12);
        Assert.Equal(4.0 / 7, weighted.Recall, 12);
        Assert.Equal(4.0 / 7, weighted.F1, 12);
        Assert.Equal(7, weighted.Support);
        Assert.Equal(4.0 / 7, Report().Accuracy, 12);
    }

    [Fact]
    public void F1_is_the_harmonic_mean_of_unequal_precision_and_recall()
    {
        // Class 0: 3 of 4 examples found (recall 0.75), 3 of 6 predictions right (precision 0.5): F1 = 0.6.
        var r = ClassificationReport.From(ConfusionMatrix.FromCounts(new long[,] { { 3, 1 }, { 3, 3 } }), ["x", "y"]);

        Assert.Equal(0.5, r.Classes[0].Precision, 12);
        Assert.Equal(0.75, r.Classes[0].Recall, 12);
        Assert.Equal(0.6, r.Classes[0].F1, 12);
    }

    [Fact]
    public void Text_layout_is_the_one_scikit_learn_prints_with_four_digits()
    {
        // classification_report([0,0,0,1,1,1,2], [0,0,1,1,1,3,0], labels=[0,1,2,3],
        //                       target_names=list("abcd"), digits=4, zero_division=0) in scikit-learn 1.2.
        const string expected =
            "              precision    recall  f1-score   support\n" +
            "\n" +
            "           a     0.6667    0.6667    0.6667         3\n" +
            "           b     0.6667    0.6667    0.6667         3\n" +
            "           c     0.0000    0.0000    0.0000         1\n" +
            "           d     0.0000    0.0000    0.0000         0\n" +
            "\n" +
            "    accuracy                         0.5714         7\n" +
            "   macro avg     0.3333    0.3333    0.3333         7\n" +
            "weighted avg     0.5714    0.5714    0.5714         7\n";

        Assert.Equal(expected, Report().ToText());
    }

    [Fact]
    public void Long_class_names_widen_the_first_column()
    {
        var r = ClassificationReport.From(ConfusionMatrix.FromCounts(new long[,] { { 1, 0 }, { 0, 1 } }), ["T-shirt/top-long", "y"]);

        var lines = r.ToText().Split('\n');

        Assert.StartsWith("T-shirt/top-long     1.0000", lines[2]);
        Assert.StartsWith("               y     1.0000", lines[3]);
    }

    [Fact]
    public void Class_names_must_match_the_class_count()
    {
        Assert.Throws<ArgumentException>(() => ClassificationReport.From(new ConfusionMatrix(3), ["a", "b"]));
    }
}
