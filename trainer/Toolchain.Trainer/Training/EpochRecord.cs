using System.Globalization;
using System.Text;
using Toolchain.Contracts;
using Toolchain.Shared.Errors;

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
}

/// <summary>Writes the epoch records as history.csv.</summary>
public static class TrainingHistory
{
    /// <summary>The CSV header.</summary>
    public const string Header = "epoch,train_loss,train_acc,test_loss,test_acc,seconds,samples_per_s,rss_mb";

    /// <summary>The CSV header of a regression: its score columns hold R² (see <see cref="EpochRecord"/>).</summary>
    public const string RegressionHeader = "epoch,train_loss,train_r2,test_loss,test_r2,seconds,samples_per_s,rss_mb";

    /// <summary>The CSV text of <paramref name="records"/>.</summary>
    public static string ToCsv(IEnumerable<EpochRecord> records, bool regression = false)
    {
        var sb = new StringBuilder(regression ? RegressionHeader : Header).Append('\n');
        foreach (var r in records)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"{r.Epoch},{r.TrainLoss:R},{r.TrainAccuracy:R},{r.TestLoss:R},{r.TestAccuracy:R},{r.Seconds:0.###},{r.SamplesPerSecond:0.#},{r.ResidentMegabytes:0.#}\n");
        }
        return sb.ToString();
    }

    /// <summary>Writes history.csv atomically.</summary>
    public static void Write(string path, IEnumerable<EpochRecord> records, bool regression = false) =>
        AtomicFile.WriteAllText(path, ToCsv(records, regression));
}
