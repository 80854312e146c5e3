using System.Globalization;
using System.Text;
using Toolchain.Cli.Output;
using Toolchain.Contracts;

namespace Toolchain.Trainer.Training;

/// <summary>
/// One row of history.csv. Epoch 0 is an evaluation before any training; from epoch 1 on, the train figures are the
/// running averages over the epoch's batches and <see cref="Seconds"/> is the time of the training pass alone.
/// <see cref="ResidentMegabytes"/> is the process's resident memory at the end of the epoch, to show it stays flat.
/// </summary>
public sealed record EpochRecord(int Epoch, double TrainLoss, double TrainAccuracy, double TestLoss, double TestAccuracy, double Seconds, double SamplesPerSecond)
{
    /// <summary>Resident set size in MiB when the record was made.</summary>
    public double ResidentMegabytes { get; init; } = Environment.WorkingSet / (1024.0 * 1024.0);

    /// <summary>Loss on the validation rows carved from the training split; null when there are none.</summary>
    public double? ValidationLoss { get; init; }

    /// <summary>Accuracy on the validation rows; null when there are none.</summary>
    public double? ValidationAccuracy { get; init; }
}

/// <summary>Writes the epoch records as history.csv.</summary>
public static class TrainingHistory
{
    /// <summary>The CSV header; the validation columns are empty for a run without a validation split.</summary>
    public const string Header = "epoch,train_loss,train_acc,test_loss,test_acc,seconds,samples_per_s,rss_mb,val_loss,val_acc";

    /// <summary>The CSV header of a regression: its score columns hold R² (see <see cref="EpochRecord"/>).</summary>
    public const string RegressionHeader = "epoch,train_loss,train_r2,test_loss,test_r2,seconds,samples_per_s,rss_mb,val_loss,val_r2";

    /// <summary>The CSV text of <paramref name="records"/>.</summary>
    public static string ToCsv(IEnumerable<EpochRecord> records, bool regression = false)
    {
        var sb = new StringBuilder(regression ? RegressionHeader : Header).Append('\n');
        foreach (var r in records)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"{r.Epoch},{r.TrainLoss:R},{r.TrainAccuracy:R},{r.TestLoss:R},{r.TestAccuracy:R},{r.Seconds:0.###},{r.SamplesPerSecond:0.#},{r.ResidentMegabytes:0.#},{r.ValidationLoss:R},{r.ValidationAccuracy:R}\n");
        }
        return sb.ToString();
    }

    /// <summary>Writes history.csv atomically.</summary>
    public static void Write(string path, IEnumerable<EpochRecord> records, bool regression = false) =>
        AtomicFile.WriteAllText(path, ToCsv(records, regression));
}
