using System.Text.Json;
using System.Text.Json.Serialization;
using Toolchain.Contracts;
using Toolchain.Shared.Errors;

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
    /// <summary>Final test accuracy in [0,1].</summary>
    public double TestAccuracy { get; init; }
    /// <summary>Final test loss.</summary>
    public double TestLoss { get; init; }
    /// <summary>Final training loss (running average of the last epoch).</summary>
    public double TrainLoss { get; init; }
    /// <summary>Final training accuracy (running average of the last epoch).</summary>
    public double TrainAccuracy { get; init; }
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
