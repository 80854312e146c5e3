using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Toolchain.Cli.Output;
using Toolchain.Trainer.Charts;

namespace Toolchain.Trainer.Transfer;

/// <summary>The content of a transfer run's metrics.json.</summary>
public sealed record TransferMetrics
{
    /// <summary>"transfer".</summary>
    public string Model { get; init; } = "transfer";
    /// <summary>The image folder.</summary>
    public required string Dataset { get; init; }
    /// <summary>Backbone name.</summary>
    public required string Backbone { get; init; }
    /// <summary>Backbone file digest.</summary>
    public required string BackboneSha256 { get; init; }
    /// <summary>none, last or all.</summary>
    public required string FineTune { get; init; }
    /// <summary>The kept head.</summary>
    public required string Head { get; init; }
    /// <summary>Every head candidate: spec and validation accuracy.</summary>
    public required IReadOnlyList<HeadTrial> HeadTrials { get; init; }
    /// <summary>Training images (validation excluded).</summary>
    public int TrainCount { get; init; }
    /// <summary>Validation images.</summary>
    public int ValidationCount { get; init; }
    /// <summary>Test images.</summary>
    public int TestCount { get; init; }
    /// <summary>Skipped images.</summary>
    public int SkippedCount { get; init; }
    /// <summary>Final test accuracy.</summary>
    public double TestAccuracy { get; init; }
    /// <summary>Final test loss.</summary>
    public double TestLoss { get; init; }
    /// <summary>The frozen head's test accuracy.</summary>
    public double FrozenTestAccuracy { get; init; }
    /// <summary>Whether the features came from the cache.</summary>
    public bool FeaturesFromCache { get; init; }
    /// <summary>Seconds to read or compute the features.</summary>
    public double FeatureSeconds { get; init; }
    /// <summary>Images through the backbone per second, when computed.</summary>
    public double? FeaturizeImagesPerSecond { get; init; }
    /// <summary>Process start to first training batch.</summary>
    public double? StartupSeconds { get; init; }
    /// <summary>Fine-tuning samples per second.</summary>
    public double? FineTuneSamplesPerSecond { get; init; }
    /// <summary>Wall-clock seconds of the command.</summary>
    public double WallSeconds { get; init; }
    /// <summary>Threads.</summary>
    public int Threads { get; init; }
    /// <summary>The --seed value.</summary>
    public long Seed { get; init; }
    /// <summary>The advice to fine-tune, when given.</summary>
    public string? Advice { get; init; }
    /// <summary>The ONNX file written, or null.</summary>
    public string? Onnx { get; init; }
    /// <summary>Max abs difference between ONNX Runtime and TorchSharp at export, or null.</summary>
    public double? ExportMaxAbsDiff { get; init; }

    /// <summary>Writes metrics.json atomically.</summary>
    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, TransferJsonContext.Default.TransferMetrics) + "\n");
}

/// <summary>metrics.json's serializer: snake_case, indented, null fields left out; a diverged loss is written "Infinity" or "NaN", as it is.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(TransferMetrics))]
internal sealed partial class TransferJsonContext : JsonSerializerContext;

/// <summary>history.csv and loss.png of a transfer run: every epoch of both phases with its validation figures.</summary>
public static class TransferHistory
{
    /// <summary>The CSV header.</summary>
    public const string Header = "phase,epoch,train_loss,train_acc,val_loss,val_acc,test_loss,test_acc,seconds,samples_per_s";

    /// <summary>Writes history.csv and loss.png into <paramref name="outDir"/>.</summary>
    public static void Write(string outDir, IReadOnlyList<TransferEpoch> epochs, string title)
    {
        var sb = new StringBuilder(Header).Append('\n');
        foreach (var e in epochs)
        {
            var r = e.Record;
            sb.Append(CultureInfo.InvariantCulture,
                $"{e.Phase},{r.Epoch},{r.TrainLoss:R},{r.TrainAccuracy:R},{e.ValidationLoss:R},{e.ValidationAccuracy:R},{r.TestLoss:R},{r.TestAccuracy:R},{r.Seconds:0.###},{r.SamplesPerSecond:0.#}\n");
        }
        AtomicFile.WriteAllText(Path.Combine(outDir, "history.csv"), sb.ToString());
        if (epochs.Count > 0)
        {
            LossChart.Save(Path.Combine(outDir, "loss.png"), epochs.Select(e => (double)e.Record.Epoch).ToArray(),
                epochs.Select(e => e.Record.TrainLoss).ToArray(), epochs.Select(e => e.Record.TestLoss).ToArray(), title);
        }
    }
}
