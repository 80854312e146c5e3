using System.Globalization;
using Toolchain.Contracts;
using Toolchain.Trainer.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Cli;

/// <summary>What <c>trainer train</c> prints when a run ends: the result line and notes, or how to resume.</summary>
public static class TrainReport
{
    internal static void Interruption(TextWriter output, TrainingOptions options, TrainingRun run, string checkpointPath, string outDir)
    {
        var where = run.Cursor is { } cur ? $"epoch {cur.Epoch}, batch {cur.NextBatch}/{run.BatchesPerEpoch}" : $"epoch {run.CompletedEpochs}";
        output.WriteLine($"interrupted at {where}; checkpoint written to {checkpointPath}");
        output.WriteLine($"resume with: trainer train {EnumText.Of(options.Model)} --out {Quote(outDir)} --resume");
    }

    internal static void Result(TextWriter output, TextWriter error, TrainingOptions options, TrainingRun run, TrainingData data,
        MetricsReport metrics, Device device, int threads, string outDir)
    {
        var last = run.Final;
        if (PoorResultNote(run, data) is { } note)
        {
            error.WriteLine($"trainer train: note: {note}");
        }
        if (metrics.Regression is { } r)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{EnumText.Of(options.Model)}: test R² {r.R2:0.0000}, MAE {r.Mae:G6}, RMSE {r.Rmse:G6} ({string.Join(", ", r.Targets)}) on {data.Name} after {run.CompletedEpochs} epochs, " +
                $"{metrics.SamplesPerSecond:N0} samples/s; results in {outDir}"));
            return;
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{EnumText.Of(options.Model)}: test accuracy {100 * last.TestAccuracy:0.00}% (loss {last.TestLoss:0.0000}) on {data.Name} after {run.CompletedEpochs} epochs{(run.RestoredBest ? $" (weights of epoch {run.Final.Epoch}, the best on validation)" : "")}, " +
            $"{metrics.SamplesPerSecond:N0} samples/s; results in {outDir}"));
        // PyTorch's training figures were measured on the CPU; a run set up the same way is compared with them.
        if (device.type == DeviceType.CPU && PyTorchTrainingReference.Compare(options.Model, data.Name, threads, options.BatchSize,
            metrics.SamplesPerSecond, last.TestAccuracy) is { } comparison)
        {
            output.WriteLine(comparison);
        }
    }

    /// <summary>
    /// A one-line explanation when a finished run learned little, else null: xor below 90% training accuracy (a 2-2-1
    /// sigmoid net can stall in a local minimum, faithfully to PyTorch), or an image model at about chance level.
    /// </summary>
    public static string? PoorResultNote(TrainingRun run, TrainingData data)
    {
        if (data.IsXor)
        {
            var (_, trainAccuracy) = run.Evaluate(data.TrainX, data.TrainY);
            return trainAccuracy >= 0.9 ? null : string.Create(CultureInfo.InvariantCulture,
                $"{EnumText.Of(run.Options.Model)} reached only {100 * trainAccuracy:0.00}% training accuracy after {run.CompletedEpochs} epochs: a small sigmoid net " +
                $"can stall in a local minimum from this initialisation; --restarts {XorRestartsHint} keeps the best of {XorRestartsHint}");
        }
        if (data.IsRegression)
        {
            double r2 = run.Final.TestAccuracy;
            return r2 > 0 ? null : string.Create(CultureInfo.InvariantCulture,
                $"{EnumText.Of(run.Options.Model)} reached a test R² of {r2:0.0000}: no better than predicting the training mean; check the features, --lr and the data");
        }
        double chance = 1.0 / data.ClassNames.Count, testAccuracy = run.Final.TestAccuracy;
        return testAccuracy > chance + 0.05 ? null : string.Create(CultureInfo.InvariantCulture,
            $"{EnumText.Of(run.Options.Model)} reached only {100 * testAccuracy:0.00}% test accuracy, about chance for {data.ClassNames.Count} classes: " +
            $"the network did not learn; check --lr and the data");
    }

    private const int XorRestartsHint = 5;

    private static string Quote(string path) => path.Contains(' ') ? $"'{path}'" : path;
}
