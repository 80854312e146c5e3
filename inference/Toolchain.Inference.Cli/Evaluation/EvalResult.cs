using System.Globalization;
using System.Text.Json;
using Toolchain.Shared.Metrics;

namespace Toolchain.Inference.Cli.Evaluation;

/// <summary>Everything one evaluation found, as printed, saved to report.json and summarised by eval-all.</summary>
internal sealed record EvalResult
{
    public required string ModelPath { get; init; }
    public required string Dataset { get; init; }
    public required string Provider { get; init; }
    public required int BatchSize { get; init; }
    public required IReadOnlyList<string> Labels { get; init; }
    public required ConfusionMatrix Confusion { get; init; }
    public required ClassificationReport Report { get; init; }
    public required double InferenceSeconds { get; init; }
    public required double TotalSeconds { get; init; }

    /// <summary>Mean squared error of P(class 1) against the 0/1 labels; binary models only.</summary>
    public double? MeanSquaredError { get; init; }

    /// <summary>The trainer's recorded test accuracy, when the card has one.</summary>
    public double? CardAccuracy { get; init; }

    /// <summary>Whether the card's figure was measured on this same data (same dataset and test count).</summary>
    public bool CardComparable { get; init; }

    public required string OutputDirectory { get; init; }
    public required IReadOnlyList<string> Charts { get; init; }

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
    public string? CardDisagreement()
    {
        if (PredictionsFromCard is not { } apart || apart <= 1 || CardAccuracy is not { } card)
        {
            return null;
        }
        var c = CultureInfo.InvariantCulture;
        return $"{ModelPath}: accuracy {Accuracy.ToString("0.0000", c)} disagrees with the card's {card.ToString("0.0000", c)} " +
            $"by {apart} predictions on the same {Count} test examples";
    }

    public void WriteJson(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("model", ModelPath);
        w.WriteString("dataset", Dataset);
        w.WriteString("provider", Provider);
        w.WriteNumber("batch_size", BatchSize);
        w.WriteNumber("count", Count);
        w.WriteNumber("accuracy", Accuracy);
        if (MeanSquaredError is { } mse)
        {
            w.WriteNumber("mse", mse);
        }
        if (CardAccuracy is { } card)
        {
            w.WriteNumber("card_test_accuracy", card);
        }
        else
        {
            w.WriteNull("card_test_accuracy");
        }
        w.WriteBoolean("card_comparable", CardComparable);
        if (PredictionsFromCard is { } apart)
        {
            w.WriteNumber("predictions_from_card", apart);
        }
        w.WriteStartArray("labels");
        foreach (var l in Labels)
        {
            w.WriteStringValue(l);
        }
        w.WriteEndArray();
        w.WriteStartArray("confusion_matrix");
        foreach (var row in Confusion.ToRows())
        {
            w.WriteStartArray();
            foreach (var c in row)
            {
                w.WriteNumberValue(c);
            }
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteStartObject("classification_report");
        foreach (var c in Report.Classes)
        {
            Scores(w, c.Name, c);
        }
        w.WriteNumber("accuracy", Report.Accuracy);
        Scores(w, "macro avg", Report.MacroAverage);
        Scores(w, "weighted avg", Report.WeightedAverage);
        w.WriteEndObject();
        w.WriteNumber("inference_seconds", InferenceSeconds);
        w.WriteNumber("images_per_second", ImagesPerSecond);
        w.WriteNumber("total_seconds", TotalSeconds);
        w.WriteEndObject();
    }

    private static void Scores(Utf8JsonWriter w, string name, ClassScores s)
    {
        w.WriteStartObject(name);
        w.WriteNumber("precision", s.Precision);
        w.WriteNumber("recall", s.Recall);
        w.WriteNumber("f1-score", s.F1);
        w.WriteNumber("support", s.Support);
        w.WriteEndObject();
    }
}
