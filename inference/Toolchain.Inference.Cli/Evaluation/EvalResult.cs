using System.Globalization;
using System.Text.Json.Serialization;
using Toolchain.Contracts;
using Toolchain.Data.Metrics;
using Toolchain.Inference.Cli.Output;

namespace Toolchain.Inference.Cli.Evaluation;

/// <summary>
/// What every evaluation found, classifier or regression: the model and data, where it ran and how long it took, the
/// files it wrote; its report.json text and whether it contradicts the model card.
/// </summary>
internal abstract record EvalReport
{
    public required string ModelPath { get; init; }
    public required string Dataset { get; init; }
    public required ExecutionProvider Provider { get; init; }
    public required double InferenceSeconds { get; init; }
    public required double TotalSeconds { get; init; }

    /// <summary>Whether the card's figure was measured on this same data (same dataset and test count).</summary>
    public bool CardComparable { get; init; }

    public required string OutputDirectory { get; init; }
    public required IReadOnlyList<string> Charts { get; init; }

    /// <summary>The report as JSON, indented for report.json or on one line for <c>eval --json</c>.</summary>
    public abstract string ToJson(bool indented);

    /// <summary>The error line when the figure measured on the card's own test data is not the card's; else null.</summary>
    public abstract string? CardDisagreement();
}

/// <summary>Everything one evaluation of a classifier found, as printed, saved to report.json and summarised by eval-all.</summary>
internal sealed record EvalResult : EvalReport
{
    public required int BatchSize { get; init; }
    public required IReadOnlyList<string> Labels { get; init; }
    public required ConfusionMatrix Confusion { get; init; }
    public required ClassificationReport Report { get; init; }

    /// <summary>Mean squared error of P(class 1) against the 0/1 labels; binary models only.</summary>
    public double? MeanSquaredError { get; init; }

    /// <summary>The trainer's recorded test accuracy, when the card has one.</summary>
    public double? CardAccuracy { get; init; }

    public long Count => Confusion.Total;
    public double Accuracy => Confusion.Accuracy;
    public double ImagesPerSecond => InferenceSeconds > 0 ? Count / InferenceSeconds : 0;

    /// <summary>How many predictions separate this accuracy from the card's, on the same data.</summary>
    public long? PredictionsFromCard =>
        CardComparable && CardAccuracy is { } card ? (long)Math.Round(Math.Abs(card - Accuracy) * Count) : null;

    /// <summary>One line comparing with the trainer's figure.</summary>
    public string CardComparison()
    {
        if (CardAccuracy is not { } card)
        {
            return "the model card records no test accuracy";
        }
        var figure = card.ToString("0.0000", CultureInfo.InvariantCulture);
        if (PredictionsFromCard is not { } apart)
        {
            return $"trainer recorded {figure} on other data (not comparable)";
        }
        return apart <= 1
            ? $"trainer recorded {figure} on the same data: matches ({apart} prediction{(apart == 1 ? "" : "s")} apart)"
            : $"trainer recorded {figure} on the same data: DIFFERS by {apart} predictions";
    }

    /// <summary>
    /// The error line when this accuracy, measured on the card's own test data, is more than one prediction from the
    /// card's: the model file no longer computes what the trainer measured. Null when it agrees or is not comparable.
    /// </summary>
    public override string? CardDisagreement()
    {
        if (PredictionsFromCard is not { } apart || apart <= 1 || CardAccuracy is not { } card)
        {
            return null;
        }
        var c = CultureInfo.InvariantCulture;
        return $"{ModelPath}: accuracy {Accuracy.ToString("0.0000", c)} disagrees with the card's {card.ToString("0.0000", c)} " +
            $"by {apart} predictions on the same {Count} test examples";
    }

    /// <summary>The report as JSON, as report.json (indented) and <c>eval --json</c> (one line) print it.</summary>
    public override string ToJson(bool indented)
    {
        // Per class, then the overall figures, under one object, as scikit-learn's classification_report(output_dict=True).
        var report = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var c in Report.Classes)
        {
            report[c.Name] = ScoresJson.Of(c);
        }
        report["accuracy"] = Report.Accuracy;
        report["macro avg"] = ScoresJson.Of(Report.MacroAverage);
        report["weighted avg"] = ScoresJson.Of(Report.WeightedAverage);
        var json = new EvalReportJson(ModelPath, Dataset, Provider, BatchSize, Count, Accuracy, MeanSquaredError, CardAccuracy, CardComparable,
            PredictionsFromCard, Labels, Confusion.ToRows(), report, InferenceSeconds, ImagesPerSecond, TotalSeconds);
        return CliJson.Serialize(json, indented ? CliJson.ReadableIndented : CliJson.Readable);
    }
}

/// <summary>report.json; the property names, in snake_case, are the file's field names.</summary>
internal sealed record EvalReportJson(
    [property: JsonPropertyName("model")] string ModelPath,
    string Dataset,
    ExecutionProvider Provider,
    int BatchSize,
    long Count,
    double Accuracy,
    double? Mse,
    // Written as null when the card has no figure, so a reader can tell "none recorded" from an old report.
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? CardTestAccuracy,
    bool CardComparable,
    long? PredictionsFromCard,
    IReadOnlyList<string> Labels,
    long[][] ConfusionMatrix,
    Dictionary<string, object> ClassificationReport,
    double InferenceSeconds,
    double ImagesPerSecond,
    double TotalSeconds);

/// <summary>One class's (or an average's) scores in report.json.</summary>
internal sealed record ScoresJson(double Precision, double Recall, [property: JsonPropertyName("f1-score")] double F1, long Support)
{
    public static ScoresJson Of(ClassScores s) => new(s.Precision, s.Recall, s.F1, s.Support);
}
