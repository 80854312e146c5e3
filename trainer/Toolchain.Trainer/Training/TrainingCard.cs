using Toolchain.Contracts;
using Toolchain.Data.Metrics;

namespace Toolchain.Trainer.Training;

/// <summary>Builds the model card of a run from its options, data and latest evaluation.</summary>
public static class TrainingCard
{
    /// <summary>The output of a regression graph: the predicted value of each target, in the targets' units.</summary>
    public const string RegressionOutputName = "value";

    /// <summary>A regression run's test R², MAE and RMSE in the targets' own units.</summary>
    public static RegressionReport TestScores(TrainingRun run, TrainingData data)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(data);
        return run.EvaluateRegression(data.TestX, data.TestY).Scores.InUnits(data.TargetStds);
    }

    /// <summary>
    /// The card for <paramref name="run"/>. The graph fields (names, layout, shape, element type, task) are filled with
    /// what the exporter will emit; the exporter has the last word on them and adds the parity figure.
    /// </summary>
    public static ModelCard Build(TrainingRun run, TrainingData data)
    {
        var options = run.Options;
        bool binary = data.IsXor;
        var last = run.History.Count > 0 ? run.Final : null;
        var hyper = new Dictionary<string, string>(options.Hyperparameters())
        {
            ["init_seed"] = run.InitSeed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["epochs_completed"] = run.CompletedEpochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (run.BestEpoch is { } best)
        {
            hyper["best_epoch"] = best.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (run.RestoredBest)
        {
            hyper["weights_from_epoch"] = run.Final.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture);
            hyper["stopped_early"] = run.StoppedEarly ? "true" : "false";
        }
        foreach (var (key, value) in data.Provenance)
        {
            hyper[key] = value;
        }
        // A regression's card carries its test figures in the targets' units, and the standardisation its graph undoes.
        var scores = data.IsRegression && run.History.Count > 0 ? TestScores(run, data) : null;
        return new ModelCard
        {
            Task = data.IsRegression ? ModelTask.Regression : binary ? ModelTask.Binary : ModelTask.Multiclass,
            Labels = data.ClassNames,
            InputLayout = data.IsImage ? InputLayout.Nchw : InputLayout.Nc,
            InputShape = [-1, .. data.InputShape],
            ElementType = options.ElementType,
            OutputName = data.IsRegression ? RegressionOutputName : binary ? "probability" : "logits",
            ProbabilitiesName = binary || data.IsRegression ? null : "probabilities",
            TargetNames = data.TargetNames,
            TargetMeans = data.TargetMeans,
            TargetStds = data.TargetStds,
            TestR2 = scores?.MeanR2,
            TestMae = scores?.MeanMae,
            TestRmse = scores?.MeanRmse,
            PixelConvention = data.PixelConvention,
            Mean = data.Mean,
            Std = data.Std,
            // Colour images keep one mean and std per channel; the scalar above (their average) keeps older readers working.
            ChannelMeans = data.ChannelMeans.Length > 1 ? data.ChannelMeans : [],
            ChannelStds = data.ChannelStds.Length > 1 ? data.ChannelStds : [],
            // A table's graph standardises its own features (Sub/Div at its head), so callers pass raw values.
            NormalizationInGraph = data.Kind == DataKind.Table,
            FeatureNames = data.FeatureNames,
            PreprocessingMode = !data.IsImage ? PreprocessingMode.None : data.IsDigitSet ? PreprocessingMode.Digit : PreprocessingMode.Resize,
            DatasetName = data.Name,
            TrainCount = data.TrainCount,
            TestCount = data.TestCount,
            Architecture = run.Architecture,
            Hyperparameters = hyper,
            Seed = options.Seed,
            TestAccuracy = data.IsRegression ? null : last?.TestAccuracy,
            TestLoss = last?.TestLoss,
        };
    }
}
