using System.Globalization;
using System.Text.Json.Serialization;
using Toolchain.Contracts;
using Toolchain.Data.Metrics;
using Toolchain.Inference.Cli.Output;

namespace Toolchain.Inference.Cli.Evaluation;

/// <summary>What evaluating a regression model found: R², MAE and RMSE per target and averaged, as printed and saved to report.json.</summary>
internal sealed record RegressionEvalResult : EvalReport
{
    /// <summary>
    /// How far this R² may be from the card's, on the card's own test rows, and still be the same model: ONNX Runtime and
    /// TorchSharp sum float32 in different orders, which moves R² by about 1e-6, while a changed model moves it far more.
    /// </summary>
    public const double CardTolerance = 1e-4;

    public required long Count { get; init; }
    public required IReadOnlyList<string> Targets { get; init; }
    public required RegressionReport Report { get; init; }

    /// <summary>The trainer's recorded test R², when the card has one.</summary>
    public double? CardR2 { get; init; }

    public double RowsPerSecond => InferenceSeconds > 0 ? Count / InferenceSeconds : 0;

    /// <summary>One line comparing with the trainer's figure.</summary>
    public string CardComparison()
    {
        if (CardR2 is not { } card)
        {
            return "the model card records no test R²";
        }
        var figure = card.ToString("0.0000", CultureInfo.InvariantCulture);
        if (!CardComparable)
        {
            return $"trainer recorded {figure} on other data (not comparable)";
        }
        return Math.Abs(card - Report.MeanR2) <= CardTolerance
            ? $"trainer recorded {figure} on the same rows: matches"
            : $"trainer recorded {figure} on the same rows: DIFFERS";
    }

    /// <summary>The error line when the R² on the card's own test rows is not the card's; null when it agrees or is not comparable.</summary>
    public override string? CardDisagreement()
    {
        if (!CardComparable || CardR2 is not { } card || Math.Abs(card - Report.MeanR2) <= CardTolerance)
        {
            return null;
        }
        var c = CultureInfo.InvariantCulture;
        return $"{ModelPath}: R² {Report.MeanR2.ToString("0.000000", c)} disagrees with the card's {card.ToString("0.000000", c)} on the same {Count} test rows";
    }

    /// <summary>The report as JSON, as report.json (indented) and <c>eval --json</c> (one line) print it.</summary>
    public override string ToJson(bool indented)
    {
        var perTarget = Targets.Select((t, i) => new TargetScoresJson(t, Report.R2[i], Report.Mae[i], Report.Rmse[i])).ToList();
        var json = new RegressionReportJson(ModelPath, Dataset, Provider, "regression", Count, Report.MeanR2, Report.MeanMae, Report.MeanRmse,
            CardR2, CardComparable, perTarget, InferenceSeconds, RowsPerSecond, TotalSeconds, Charts.Select(Path.GetFileName).OfType<string>().ToList());
        return CliJson.Serialize(json, indented ? CliJson.ReadableIndented : CliJson.Readable);
    }

    /// <summary>The figures as text, one line each, then a line per target when there are several.</summary>
    public void Print(TextWriter o)
    {
        var c = CultureInfo.InvariantCulture;
        o.WriteLine($"model     {ModelPath} ({EnumText.Of(Provider)}, regression on {string.Join(", ", Targets)})");
        o.WriteLine($"dataset   {Dataset}: {Count} test rows");
        o.WriteLine($"R²        {Report.MeanR2.ToString("0.0000", c)}; {CardComparison()}");
        o.WriteLine($"MAE       {Report.MeanMae.ToString("G6", c)}");
        o.WriteLine($"RMSE      {Report.MeanRmse.ToString("G6", c)}");
        if (Targets.Count > 1)
        {
            o.WriteLine();
            var width = Math.Max("target".Length, Targets.Max(t => t.Length));
            o.WriteLine($"{"target".PadRight(width)}  {"R²",10}  {"MAE",12}  {"RMSE",12}");
            for (int t = 0; t < Targets.Count; t++)
            {
                o.WriteLine($"{Targets[t].PadRight(width)}  {Report.R2[t].ToString("0.0000", c),10}  {Report.Mae[t].ToString("G6", c),12}  {Report.Rmse[t].ToString("G6", c),12}");
            }
        }
        o.WriteLine();
        o.WriteLine($"speed     {Count} rows in {InferenceSeconds.ToString("0.000", c)} s of inference: {RowsPerSecond.ToString("N0", c)} rows/s; total {TotalSeconds.ToString("0.00", c)} s");
        o.WriteLine($"wrote     {string.Join(", ", Charts.Select(Path.GetFileName).Prepend("report.json"))} in {OutputDirectory}");
    }
}

/// <summary>A regression's report.json; averages over targets at the top (as scikit-learn's uniform_average), then each target.</summary>
internal sealed record RegressionReportJson(
    [property: JsonPropertyName("model")] string ModelPath,
    string Dataset,
    ExecutionProvider Provider,
    string Task,
    long Count,
    [property: JsonPropertyName("r2")] double R2,
    double Mae,
    double Rmse,
    [property: JsonPropertyName("card_test_r2"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? CardTestR2,
    bool CardComparable,
    IReadOnlyList<TargetScoresJson> Targets,
    double InferenceSeconds,
    double RowsPerSecond,
    double TotalSeconds,
    IReadOnlyList<string> Charts);

/// <summary>One target's figures in report.json.</summary>
internal sealed record TargetScoresJson(string Name, [property: JsonPropertyName("r2")] double R2, double Mae, double Rmse);
