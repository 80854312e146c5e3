using System.Globalization;
using System.Text;
using Toolchain.Cli;

namespace Toolchain.Data.Metrics;

/// <summary>Precision, recall, F1 and support of one class, or of an average over classes.</summary>
/// <param name="Name">Class name, or "macro avg" / "weighted avg".</param>
/// <param name="Precision">True positives over predicted positives; 0 when nothing was predicted.</param>
/// <param name="Recall">True positives over actual positives; 0 when the class has no examples.</param>
/// <param name="F1">Harmonic mean of precision and recall; 0 when both are 0.</param>
/// <param name="Support">Actual examples of the class (for averages: all examples).</param>
public sealed record ClassScores(string Name, double Precision, double Recall, double F1, long Support);

/// <summary>
/// scikit-learn's <c>classification_report</c> computed from a <see cref="ConfusionMatrix"/>: per-class scores, accuracy,
/// macro and weighted averages. Divisions by zero give 0, as scikit-learn's default does (without its warning).
/// </summary>
public sealed class ClassificationReport
{
    private ClassificationReport(IReadOnlyList<ClassScores> classes, double accuracy, long total, ClassScores macro, ClassScores weighted)
    {
        Classes = classes;
        Accuracy = accuracy;
        Total = total;
        MacroAverage = macro;
        WeightedAverage = weighted;
    }

    /// <summary>Scores per class, index = class id.</summary>
    public IReadOnlyList<ClassScores> Classes { get; }

    /// <summary>Fraction of all examples predicted correctly.</summary>
    public double Accuracy { get; }

    /// <summary>All examples.</summary>
    public long Total { get; }

    /// <summary>
    /// Unweighted mean of the per-class scores over the classes that occur or are predicted (a class without examples
    /// still counts when the model predicts it), as scikit-learn computes it.
    /// </summary>
    public ClassScores MacroAverage { get; }

    /// <summary>Per-class scores weighted by support.</summary>
    public ClassScores WeightedAverage { get; }

    /// <summary>Computes the report; <paramref name="classNames"/> must have one name per class of <paramref name="matrix"/>.</summary>
    public static ClassificationReport From(ConfusionMatrix matrix, IReadOnlyList<string> classNames)
    {
        if (classNames.Count != matrix.ClassCount)
        {
            throw new ArgumentException($"{classNames.Count} class names for {matrix.ClassCount} classes", nameof(classNames));
        }
        var classes = new ClassScores[matrix.ClassCount];
        for (var c = 0; c < matrix.ClassCount; c++)
        {
            double tp = matrix[c, c];
            var predicted = matrix.PredictedCount(c);
            var support = matrix.Support(c);
            var precision = Ratio(tp, predicted);
            var recall = Ratio(tp, support);
            // 2tp/(2tp+fp+fn) equals 2PR/(P+R) whenever both are defined and is how scikit-learn computes it.
            var f1 = Ratio(2 * tp, predicted + support);
            classes[c] = new ClassScores(classNames[c], precision, recall, f1, support);
        }
        var total = matrix.Total;
        // As scikit-learn, whose labels are those in y_true or y_pred: a class that neither occurs nor is predicted
        // (a dataset using 3 of a model's 10 outputs) has no scores to average, only zeros that would drag it down.
        var present = classes.Where((s, c) => s.Support > 0 || matrix.PredictedCount(c) > 0).ToList();
        var macro = new ClassScores(
            "macro avg",
            present.Count > 0 ? present.Average(s => s.Precision) : 0,
            present.Count > 0 ? present.Average(s => s.Recall) : 0,
            present.Count > 0 ? present.Average(s => s.F1) : 0,
            total);
        var weighted = new ClassScores(
            "weighted avg",
            Ratio(classes.Sum(s => s.Precision * s.Support), total),
            Ratio(classes.Sum(s => s.Recall * s.Support), total),
            Ratio(classes.Sum(s => s.F1 * s.Support), total),
            total);
        return new ClassificationReport(classes, matrix.Accuracy, total, macro, weighted);
    }

    /// <summary>
    /// The report as scikit-learn prints it with <c>digits</c> decimals: a header, one row per class, a blank line,
    /// then accuracy, macro avg and weighted avg.
    /// </summary>
    public string ToText(int digits = 4)
    {
        const string longestHeading = "weighted avg";
        // Class names come from folder names and CSV labels: escaped, a newline or a terminal escape cannot break the table.
        var width = Math.Max(Math.Max(Classes.Max(c => TerminalText.Escape(c.Name).Length), longestHeading.Length), digits);
        var sb = new StringBuilder();
        sb.Append(' ', width).Append(' ');
        foreach (var h in new[] { "precision", "recall", "f1-score", "support" })
        {
            sb.Append(' ').Append(h.PadLeft(9));
        }
        sb.Append("\n\n");
        foreach (var c in Classes)
        {
            Row(sb, c, width, digits);
        }
        sb.Append('\n');
        sb.Append("accuracy".PadLeft(width)).Append(' ')
            .Append(' ', 20)
            .Append(' ').Append(Fixed(Accuracy, digits).PadLeft(9))
            .Append(' ').Append(Total.ToString(CultureInfo.InvariantCulture).PadLeft(9)).Append('\n');
        Row(sb, MacroAverage, width, digits);
        Row(sb, WeightedAverage, width, digits);
        return sb.ToString();
    }

    private static void Row(StringBuilder sb, ClassScores s, int width, int digits) =>
        sb.Append(TerminalText.Escape(s.Name).PadLeft(width)).Append(' ')
            .Append(' ').Append(Fixed(s.Precision, digits).PadLeft(9))
            .Append(' ').Append(Fixed(s.Recall, digits).PadLeft(9))
            .Append(' ').Append(Fixed(s.F1, digits).PadLeft(9))
            .Append(' ').Append(s.Support.ToString(CultureInfo.InvariantCulture).PadLeft(9)).Append('\n');

    private static string Fixed(double v, int digits) => v.ToString("F" + digits, CultureInfo.InvariantCulture);

    private static double Ratio(double numerator, double denominator) => denominator == 0 ? 0 : numerator / denominator;
}
