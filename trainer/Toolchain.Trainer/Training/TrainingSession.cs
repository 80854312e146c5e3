using Toolchain.Contracts;
using Toolchain.Trainer.Onnx;

namespace Toolchain.Trainer.Training;

/// <summary>
/// One training run as a pipeline: data (<see cref="Open"/>), the network kind, the training loop with its observers
/// (<see cref="Train"/>), the artifacts (<see cref="WriteArtifacts"/>: history.csv, loss.png, metrics.json) and the
/// export (<see cref="Export"/>). <c>trainer train</c> drives it from its flags; another data loader and network kind
/// plug in through <see cref="TrainingRequest.LoadData"/> and <see cref="TrainingRequest.ModelKind"/>. The transfer
/// path shares this pipeline's parts (listing and split, head spec, progress contract, loss chart, exporter) but not
/// its loop, which trains on cached features in two phases: see <see cref="Transfer.TransferTrainer"/>'s remarks.
/// </summary>
public sealed class TrainingSession : IDisposable
{
    private TrainingSession(TrainingRequest request, TrainingOptions options, TrainingData data, string datasetSpec, IModelKind kind)
    {
        Request = request;
        Options = options;
        Data = data;
        DatasetSpec = datasetSpec;
        Kind = kind;
    }

    /// <summary>What the session was opened with.</summary>
    public TrainingRequest Request { get; }

    /// <summary>The options as fitted to the data (class count, epochs of a table, augmentation).</summary>
    public TrainingOptions Options { get; }

    /// <summary>The loaded data.</summary>
    public TrainingData Data { get; }

    /// <summary>The resolved dataset, as recorded in the checkpoint.</summary>
    public string DatasetSpec { get; }

    /// <summary>The network kind that trains.</summary>
    public IModelKind Kind { get; }

    /// <summary>
    /// Loads the data, fits the options to it and picks the network; <paramref name="say"/> hears what was decided
    /// (fitted epochs, scaled augmentation) and the data's warnings.
    /// </summary>
    public static TrainingSession Open(TrainingRequest request, Action<string> say)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (options, resume) = (request.Options, request.Resume);
        // A resumed run keeps the normalisation it started with, so its inputs mean what they meant before.
        (double[], double[])? normalization =
            resume is not null && options.Model != BuiltInModel.Xor ? resume.Card.NormalizationFor(resume.InputShape.Length == 3 ? (int)resume.InputShape[0] : 1)
            : options.NormalizationMean is { } m && options.NormalizationStd is { } s ? ([m], [s])
            : null;
        var dataset = resume?.DatasetSpec ?? options.Dataset;
        var dataRequest = new DataRequest(dataset, request.DataRoot, options, normalization)
        {
            CacheDirectory = request.CacheDirectory,
            Progress = request.DecodeProgress,
        };
        var (data, resolved) = request.LoadData(dataRequest, request.Device, say);
        try
        {
            // Before the checkpoint check: a resumed run carves the same rows again (same data, share and seed).
            data.CarveValidation(options.ValidationFraction, options.SplitSeed);
            resume?.CheckFits(data);
            options = RecipeFit.ToData(options, request.Given, resume is not null, data, say);
            var kind = request.ModelKind?.Invoke(options, data) ?? ModelTrainer.SpecModel(options, data);
            return new TrainingSession(request, options, data, resolved, kind);
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    /// <summary>Trains (or continues) the run, checkpointing into the output folder; <paramref name="cancel"/> stops it after the batch in progress.</summary>
    public TrainingOutcome Train(ITrainingObserver observer, CancellationToken cancel) =>
        ModelTrainer.Run(Options, Data, Request.Device, Request.OutDir, DatasetSpec, Request.Resume, observer, cancel, Kind);

    /// <summary>history.csv and loss.png (and xor's decision boundary) of the kept run.</summary>
    public void WriteCharts(TrainingRun run) => RunArtifacts.WriteCharts(Request.OutDir, run, Data);

    /// <summary>Exports the kept run to model.onnx in the output folder through its kind's exporter.</summary>
    public ExportResult Export(TrainingRun run, ExportSettings settings)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Kind.Exporter.Export(run.Model, TrainingCard.Build(run, Data), Data, Path.Combine(Request.OutDir, "model.onnx"), settings);
    }

    /// <summary>metrics.json of the finished run, written into the output folder and returned.</summary>
    public MetricsReport WriteArtifacts(TrainingOutcome outcome, double wallSeconds, double? startupSeconds, ExportResult? export)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var metrics = RunArtifacts.Metrics(Options, outcome, Data, Request.Device, Request.Threads, wallSeconds, export) with
        {
            StartupSeconds = startupSeconds,
        };
        metrics.Write(Path.Combine(Request.OutDir, "metrics.json"));
        return metrics;
    }

    /// <inheritdoc />
    public void Dispose() => Data.Dispose();
}
