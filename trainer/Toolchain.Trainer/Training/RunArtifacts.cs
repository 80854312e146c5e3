using System.Globalization;
using Toolchain.Contracts;
using Toolchain.Shared.Charts;
using Toolchain.Trainer.Onnx;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Training;

/// <summary>What a run leaves beside its model: history.csv, loss.png, xor's decision boundary, and metrics.json.</summary>
public static class RunArtifacts
{
    /// <summary>Writes history.csv and loss.png (and decision-boundary.png for xor) into <paramref name="outDir"/>.</summary>
    public static void WriteCharts(string outDir, TrainingRun run, TrainingData data)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(data);
        TrainingHistory.Write(Path.Combine(outDir, "history.csv"), run.History, data.IsRegression);
        LossChart.Save(Path.Combine(outDir, "loss.png"),
            run.History.Select(r => (double)r.Epoch).ToArray(), run.History.Select(r => r.TrainLoss).ToArray(),
            run.History.Select(r => r.TestLoss).ToArray(), LossChartTitle(run.Options.Model, data.Name));
        if (data.IsXor)
        {
            using var featuresCpu = data.TrainX.cpu().to(float64);
            using var labelsCpu = data.TrainY.cpu().to(float64);
            var features = featuresCpu.data<double>().ToArray();
            var labels = labelsCpu.data<double>().ToArray();
            var (_, trainAcc) = run.Evaluate(data.TrainX, data.TrainY);
            DecisionBoundaryChart.Save(Path.Combine(outDir, "decision-boundary.png"), points => Predict(run, points), features, labels,
                string.Create(CultureInfo.InvariantCulture, $"xor decision boundary (seed {run.InitSeed}, epoch {run.CompletedEpochs}, train accuracy {100 * trainAcc:0.0}%)"));
        }
    }

    /// <summary>The figures of a finished run for metrics.json.</summary>
    public static MetricsReport Metrics(TrainingOptions o, TrainingOutcome outcome, TrainingData data, Device device,
        int threads, double wallSeconds, ExportResult? export)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(data);
        var run = outcome.Run;
        var last = run.History[^1];
        var trained = run.History.Where(r => r.Epoch > 0).ToList();
        double seconds = trained.Sum(r => r.Seconds);
        return new MetricsReport
        {
            Model = RecipeText.Of(o.Model),
            Architecture = run.Architecture,
            Dataset = data.Name,
            TrainCount = data.TrainCount,
            TestCount = data.TestCount,
            TestAccuracy = last.TestAccuracy,
            TestLoss = last.TestLoss,
            TrainLoss = last.TrainLoss,
            TrainAccuracy = last.TrainAccuracy,
            Epochs = run.CompletedEpochs,
            TrainSeconds = seconds,
            WallSeconds = wallSeconds,
            SamplesPerSecond = seconds > 0 ? (double)trained.Count * data.TrainCount / seconds : 0,
            Device = device.type.ToString().ToLowerInvariant(),
            Threads = threads,
            Seed = o.Seed,
            InitSeed = run.InitSeed,
            NormalizationMean = data.Mean,
            NormalizationStd = data.Std,
            Hyperparameters = TrainingCard.Build(run, data).Hyperparameters,
            Regression = data.IsRegression ? RegressionMetrics.Of(data.TargetNames, TrainingCard.TestScores(run, data)) : null,
            Restarts = outcome.Trials.Select(t => new RestartResult(t.Seed, t.TrainLoss, t.TrainAccuracy)).ToList(),
            Onnx = export?.Path,
            ExportMaxAbsDiff = export?.MaxAbsDiff,
        };
    }

    /// <summary>"xor: loss per epoch" when the model and its data share a name, else "mlp on mnist: loss per epoch".</summary>
    private static string LossChartTitle(BuiltInModel model, string dataName) =>
        RecipeText.Of(model) == dataName ? $"{dataName}: loss per epoch" : $"{RecipeText.Of(model)} on {dataName}: loss per epoch";

    private static double[] Predict(TrainingRun run, double[] points)
    {
        run.Model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var x = tensor(points, [points.Length / 2, 2], float64);
        if (run.Options.ElementType != ElementType.Float64)
        {
            x = x.to(float32);
        }
        var p = run.Model.forward(x.to(run.Device)).to(float64).cpu();
        return p.data<double>().ToArray();
    }
}
