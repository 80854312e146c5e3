using System.Text.Json;
using System.Text.Json.Serialization;
using Toolchain.Cli.Output;
using Toolchain.Contracts;
using Toolchain.Data.Metrics;

namespace Toolchain.Trainer.Training;

/// <summary>The content of metrics.json: the run's final figures and how they were obtained.</summary>
public sealed record MetricsReport
{
    /// <summary>Preset model name.</summary>
    public required string Model { get; init; }
    /// <summary>Canonical architecture.</summary>
    public required string Architecture { get; init; }
    /// <summary>Dataset name.</summary>
    public required string Dataset { get; init; }
    /// <summary>Training examples.</summary>
    public int TrainCount { get; init; }
    /// <summary>Test examples.</summary>
    public int TestCount { get; init; }
    /// <summary>Final test accuracy in [0,1]; for a regression, its test R² (as history.csv's score column).</summary>
    public double TestAccuracy { get; init; }
    /// <summary>Final test loss.</summary>
    public double TestLoss { get; init; }
    /// <summary>Final training loss (running average of the last epoch).</summary>
    public double TrainLoss { get; init; }
    /// <summary>Final training accuracy (running average of the last epoch); for a regression, its training R².</summary>
    public double TrainAccuracy { get; init; }
    /// <summary>A regression's test figures in the targets' own units, per target and averaged; null for classifiers.</summary>
    public RegressionMetrics? Regression { get; init; }
    /// <summary>Epochs trained.</summary>
    public int Epochs { get; init; }
    /// <summary>Training-pass seconds over all epochs of the kept run.</summary>
    public double TrainSeconds { get; init; }
    /// <summary>Wall-clock seconds of the whole command.</summary>
    public double WallSeconds { get; init; }
    /// <summary>
    /// Seconds from the process's start to the first training batch (runtime start-up, data loading or its cache, the
    /// network and its first evaluation), or null when no batch ran.
    /// </summary>
    public double? StartupSeconds { get; init; }
    /// <summary>Training samples per second over all epochs.</summary>
    public double SamplesPerSecond { get; init; }
    /// <summary>"cpu" or "cuda".</summary>
    public required string Device { get; init; }
    /// <summary>Torch intra-op threads.</summary>
    public int Threads { get; init; }
    /// <summary>The --seed value.</summary>
    public long Seed { get; init; }
    /// <summary>The torch seed of the kept initialisation.</summary>
    public long InitSeed { get; init; }
    /// <summary>Normalisation mean.</summary>
    public double NormalizationMean { get; init; }
    /// <summary>Normalisation std.</summary>
    public double NormalizationStd { get; init; }
    /// <summary>Hyperparameters as in the model card.</summary>
    public required IReadOnlyDictionary<string, string> Hyperparameters { get; init; }
    /// <summary>Every initialisation tried with --restarts: seed, final training loss and accuracy.</summary>
    public IReadOnlyList<RestartResult> Restarts { get; init; } = [];
    /// <summary>The ONNX file written, or null.</summary>
    public string? Onnx { get; init; }
    /// <summary>Max abs difference between ONNX Runtime and TorchSharp at export, or null.</summary>
    public double? ExportMaxAbsDiff { get; init; }

    /// <summary>The JSON text.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, MetricsJsonContext.Default.MetricsReport);

    /// <summary>Writes metrics.json atomically.</summary>
    public void Write(string path) => AtomicFile.WriteAllText(path, ToJson() + "\n");
}

/// <summary>A regression's test figures in metrics.json.</summary>
/// <param name="Targets">Target columns in output order.</param>
/// <param name="R2">Test R² averaged over targets.</param>
/// <param name="Mae">Test mean absolute error in the targets' units, averaged over targets.</param>
/// <param name="Rmse">Test root mean squared error in the targets' units, averaged over targets.</param>
/// <param name="PerTarget">The same figures for each target.</param>
public sealed record RegressionMetrics(IReadOnlyList<string> Targets, double R2, double Mae, double Rmse, IReadOnlyList<TargetMetrics> PerTarget)
{
    /// <summary>The figures of <paramref name="scores"/> (in the targets' units) for <paramref name="targets"/>.</summary>
    public static RegressionMetrics Of(IReadOnlyList<string> targets, RegressionReport scores) =>
        new(targets, scores.MeanR2, scores.MeanMae, scores.MeanRmse,
            targets.Select((t, i) => new TargetMetrics(t, scores.R2[i], scores.Mae[i], scores.Rmse[i])).ToList());
}

/// <summary>One target's test figures.</summary>
/// <param name="Target">The column.</param>
/// <param name="R2">Test R².</param>
/// <param name="Mae">Test mean absolute error in the column's units.</param>
/// <param name="Rmse">Test root mean squared error in the column's units.</param>
public sealed record TargetMetrics(string Target, double R2, double Mae, double Rmse);

/// <summary>One initialisation of a --restarts search.</summary>
/// <param name="Seed">Its torch seed.</param>
/// <param name="TrainLoss">Final training loss (full evaluation).</param>
/// <param name="TrainAccuracy">Final training accuracy.</param>
public sealed record RestartResult(long Seed, double TrainLoss, double TrainAccuracy);

/// <summary>metrics.json's serializer, generated at build time: snake_case names, indented, null fields left out.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(MetricsReport))]
internal sealed partial class MetricsJsonContext : JsonSerializerContext;
