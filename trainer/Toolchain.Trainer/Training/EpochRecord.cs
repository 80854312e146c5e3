using System.Globalization;
using System.Text;
using Toolchain.Shared.Errors;

namespace Toolchain.Trainer.Training;

/// <summary>
/// One row of history.csv. Epoch 0 is an evaluation before any training; from epoch 1 on, the train figures are the
/// running averages over the epoch's batches and <see cref="Seconds"/> is the time of the training pass alone.
/// </summary>
public sealed record EpochRecord(int Epoch, double TrainLoss, double TrainAccuracy, double TestLoss, double TestAccuracy, double Seconds, double SamplesPerSecond);

/// <summary>Writes the epoch records as history.csv.</summary>
public static class TrainingHistory
{
    /// <summary>The CSV header.</summary>
    public const string Header = "epoch,train_loss,train_acc,test_loss,test_acc,seconds,samples_per_s";

    /// <summary>The CSV text of <paramref name="records"/>.</summary>
    public static string ToCsv(IEnumerable<EpochRecord> records)
    {
        var sb = new StringBuilder(Header).Append('\n');
        foreach (var r in records)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"{r.Epoch},{r.TrainLoss:R},{r.TrainAccuracy:R},{r.TestLoss:R},{r.TestAccuracy:R},{r.Seconds:0.###},{r.SamplesPerSecond:0.#}\n");
        }
        return sb.ToString();
    }

    /// <summary>Writes history.csv atomically.</summary>
    public static void Write(string path, IEnumerable<EpochRecord> records) => AtomicFile.WriteAllText(path, ToCsv(records));
}
