using Toolchain.Trainer.Tests.Onnx;
using Toolchain.Trainer.Training;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Tests.Cli;

/// <summary>
/// How far a table run's model.onnx, given the raw test rows, is from its checkpoint's network given the test features
/// the trainer itself trains and evaluates on.
/// </summary>
internal static class TableParity
{
    /// <summary>The largest absolute logit difference over the test split of <paramref name="dataset"/>.</summary>
    public static double MaxAbsDifference(string outDir, string dataset)
    {
        var checkpoint = Checkpoint.Load(Path.Combine(outDir, Checkpoint.FileName));
        using var network = checkpoint.Model;
        var options = checkpoint.Options!;
        var (data, _) = TrainingDataLoader.Load(new DataRequest(dataset, "/nowhere", options), CPU, null);
        using (data)
        {
            var table = Toolchain.Data.Tables.TableDataset.Load(dataset, options.LabelColumn, options.TestFraction, options.SplitSeed);
            using var raw = tensor(table.Test.Features.Select(v => (float)v).ToArray(), [table.Test.Count, table.FeatureNames.Count]);
            using var ort = new OrtRunner(Path.Combine(outDir, "model.onnx"));
            var fromFile = ort.Run(raw)["logits"].Data;
            using var noGrad = no_grad();
            using var logits = network.forward(data.TestX).to(float64);
            return OrtRunner.MaxAbsDiff(logits.data<double>().ToArray(), fromFile);
        }
    }
}
