using System.Globalization;
using Toolchain.Charts;
using Toolchain.Contracts;
using Toolchain.Trainer.Charts;
using Toolchain.Trainer.Onnx;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Training;

/// <summary>
/// What a run leaves beside its model: history.csv, loss.png, xor's decision boundary, a regression's predicted-vs-actual
/// and residual charts, and metrics.json.
/// </summary>
public static class RunArtifacts
{
    /// <summary>
    /// Writes history.csv and loss.png (and decision-boundary.png for xor, predicted-vs-actual.png and residuals.png for
    /// a regression's test split) into <paramref name="outDir"/>.
    /// </summary>
    public static void WriteCharts(string outDir, TrainingRun run, TrainingData data)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(data);
        TrainingHistory.Write(Path.Combine(outDir, "history.csv"), run.History, data.IsRegression);
        LossChart.Save(Path.Combine(outDir, "loss.png"),
            run.History.Select(r => (double)r.Epoch).ToArray(), run.History.Select(r => r.TrainLoss).ToArray(),
            run.History.Select(r => r.TestLoss).ToArray(), LossChartTitle(run.Options.Model, data.Name),
            data.ValidationCount > 0 ? run.History.Select(r => r.ValidationLoss ?? double.NaN).ToArray() : null);
        if (data.IsRegression)
        {
            // The test split's predictions against its targets, both back in the targets' units as the exported graph gives them.
            var actual = InUnits(data.TestY, data);
            using var output = Forward(run, data.TestX);
            var predicted = InUnits(output, data);
            RegressionCharts.SaveAll(name => Path.Combine(outDir, name), actual, predicted, data.TargetNames,
                $"{EnumText.Of(run.Options.Model)} on test rows");
        }
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
        var last = run.Final;
        var trained = run.History.Where(r => r.Epoch > 0).ToList();
        double seconds = trained.Sum(r => r.Seconds);
        return new MetricsReport
        {
            Model = EnumText.Of(o.Model),
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
        EnumText.Of(model) == dataName ? $"{dataName}: loss per epoch" : $"{EnumText.Of(model)} on {dataName}: loss per epoch";

    /// <summary>The network's outputs for <paramref name="inputs"/> in eval mode, a chunk at a time, on the CPU.</summary>
    private static Tensor Forward(TrainingRun run, Tensor inputs)
    {
        run.Model.eval();
        using var noGrad = no_grad();
        const long chunk = 1000;
        var parts = new List<Tensor>();
        for (long start = 0; start < inputs.shape[0]; start += chunk)
        {
            using var scope = NewDisposeScope();
            parts.Add(run.Model.forward(inputs.narrow(0, start, Math.Min(chunk, inputs.shape[0] - start))).cpu().MoveToOuterDisposeScope());
        }
        var all = cat(parts, 0);
        parts.ForEach(p => p.Dispose());
        return all;
    }

    /// <summary>Standardised [rows, targets] values as row-major numbers in the targets' units (value × std + mean).</summary>
    private static double[] InUnits(Tensor standardised, TrainingData data)
    {
        // A scope, not a using: to() and cpu() hand back the tensor itself when it already is float64 on the CPU.
        using var scope = NewDisposeScope();
        var values = standardised.to(float64).cpu().data<double>().ToArray();
        int k = data.TargetNames.Count;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (values[i] * data.TargetStds[i % k]) + data.TargetMeans[i % k];
        }
        return values;
    }

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
