using System.Diagnostics;
using Toolchain.Contracts;
using Toolchain.Data.Metrics;
using Toolchain.Trainer.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Toolchain.Trainer.Training;

/// <summary>
/// One initialisation of a network being trained: the model, its optimizer and how far it got. It trains epoch by
/// epoch on <see cref="TrainingData"/> and can be stopped between batches and restored from a checkpoint.
/// </summary>
public sealed class TrainingRun : IDisposable
{
    private readonly TrainingData _data;

    private readonly double[] _groupRateScales;

    private TrainingRun(TrainingOptions options, TrainingData data, IModelKind kind, Module<Tensor, Tensor> model, Device device, long initSeed)
    {
        Options = options;
        _data = data;
        Kind = kind;
        Model = model;
        Device = device;
        InitSeed = initSeed;
        (Optimizer, _groupRateScales) = CreateOptimizer(options, kind, model);
        _augmenter = data.IsImage ? new BatchAugmenter(options, data.ChannelMeans, data.ChannelStds) : null;
    }

    private readonly BatchAugmenter? _augmenter;

    /// <summary>The settings of this run.</summary>
    public TrainingOptions Options { get; }

    /// <summary>The kind of network: how it was built, which parameters train, who exports it.</summary>
    public IModelKind Kind { get; }

    /// <summary>The architecture as recorded in the card, metrics and checkpoint.</summary>
    public string Architecture => Kind.Architecture;

    /// <summary>The network.</summary>
    public Module<Tensor, Tensor> Model { get; }

    /// <summary>The optimizer, whose state is part of the checkpoint.</summary>
    public OptimizerHelper Optimizer { get; }

    /// <summary>Where the model lives.</summary>
    public Device Device { get; }

    /// <summary>The torch.manual_seed this initialisation started from.</summary>
    public long InitSeed { get; }

    /// <summary>Fully trained epochs.</summary>
    public int CompletedEpochs { get; private set; }

    /// <summary>The epoch in progress when the run was stopped mid-epoch, else null.</summary>
    public EpochCursor? Cursor { get; private set; }

    /// <summary>History so far, starting with epoch 0.</summary>
    public List<EpochRecord> History { get; } = [];

    /// <summary>The trained epoch with the lowest validation loss so far; null without a validation split.</summary>
    public int? BestEpoch { get; private set; }

    /// <summary>Whether early stopping ended the run before its last epoch.</summary>
    public bool StoppedEarly { get; private set; }

    /// <summary>Whether the model holds the weights of <see cref="BestEpoch"/> rather than of the last epoch.</summary>
    public bool RestoredBest { get; private set; }

    /// <summary>The weights of <see cref="BestEpoch"/> (serialised), kept while <see cref="TrainingOptions.Patience"/> is on.</summary>
    internal byte[]? BestWeights { get; private set; }

    /// <summary>
    /// The record of the weights the model holds: the best epoch's once <see cref="RestoreBest"/> has run, else the last.
    /// Its test figures are the exported model's, measured when that epoch ended.
    /// </summary>
    public EpochRecord Final => RestoredBest && BestEpoch is { } best ? History.Last(r => r.Epoch == best) : History[^1];

    /// <summary>Whether <see cref="TrainingOptions.Patience"/> epochs have passed without a lower validation loss.</summary>
    public bool PatienceRunOut => Options.Patience > 0 && BestEpoch is { } best && CompletedEpochs - best >= Options.Patience;

    /// <summary>Input shape without the batch axis.</summary>
    public IReadOnlyList<long> InputShape => _data.InputShape;

    /// <summary>Batches per epoch.</summary>
    public int BatchesPerEpoch => (_data.TrainCount + Options.BatchSize - 1) / Options.BatchSize;

    /// <summary>
    /// Seeds torch with <paramref name="initSeed"/>, builds the network as the notebook does (float32, then converted
    /// to the run's element type, as <c>.double()</c> does) and moves it to <paramref name="device"/>.
    /// </summary>
    public static TrainingRun Create(TrainingOptions options, TrainingData data, IModelKind kind, Device device, long initSeed)
    {
        torch.manual_seed(initSeed);
        var model = BuildModel(kind, options.ElementType, device);
        return new TrainingRun(options, data, kind, model, device, initSeed);
    }

    /// <summary>A fresh run of the network <paramref name="spec"/> describes (see <see cref="Create(TrainingOptions, TrainingData, IModelKind, Device, long)"/>).</summary>
    public static TrainingRun Create(TrainingOptions options, TrainingData data, ArchitectureSpec spec, Device device, long initSeed) =>
        Create(options, data, new SpecModelKind(spec, data.InputShape), device, initSeed);

    /// <summary>
    /// Rebuilds a run from a checkpoint: weights, optimizer state, RNG state, history and position. The network is
    /// <paramref name="kind"/>, or the checkpoint's architecture spec when null.
    /// </summary>
    public static TrainingRun Restore(CheckpointContents checkpoint, TrainingOptions options, TrainingData data, Device device, IModelKind? kind = null)
    {
        checkpoint.CheckFits(data);
        kind ??= new SpecModelKind(checkpoint.Spec, data.InputShape);
        var model = BuildModel(kind, checkpoint.Options.ElementType, CPU);
        checkpoint.LoadWeights(model);
        model.to(device);
        var run = new TrainingRun(options, data, kind, model, device, checkpoint.InitSeed);
        checkpoint.LoadOptimizerState(run.Optimizer);
        run.CompletedEpochs = checkpoint.Epoch;
        run.Cursor = checkpoint.Cursor;
        run.History.AddRange(checkpoint.History);
        (run.BestEpoch, run.BestWeights, run.StoppedEarly, run.RestoredBest) = (checkpoint.BestEpoch, checkpoint.BestWeights, checkpoint.StoppedEarly, checkpoint.RestoredBest);
        checkpoint.RestoreRandomState();
        return run;
    }

    /// <summary>Builds <paramref name="spec"/> in float32 on the CPU, then converts and moves it.</summary>
    public static Sequential BuildModel(ArchitectureSpec spec, IReadOnlyList<long> inputShape, ElementType elementType, Device device) =>
        (Sequential)BuildModel(new SpecModelKind(spec, inputShape), elementType, device);

    /// <summary>Builds <paramref name="kind"/> in float32 on the CPU, then converts and moves it.</summary>
    public static Module<Tensor, Tensor> BuildModel(IModelKind kind, ElementType elementType, Device device)
    {
        var model = kind.Build();
        if (elementType == ElementType.Float64)
        {
            model.to(float64);
        }
        if (device.type != DeviceType.CPU)
        {
            model.to(device);
        }
        return model;
    }

    /// <summary>Evaluates before training and records it as epoch 0.</summary>
    public EpochRecord EvaluateInitial()
    {
        var (trainLoss, trainAcc) = Evaluate(_data.TrainX, _data.TrainY);
        var (testLoss, testAcc) = Evaluate(_data.TestX, _data.TestY);
        var record = WithValidation(new EpochRecord(0, trainLoss, trainAcc, testLoss, testAcc, 0, 0));
        History.Add(record);
        return record;
    }

    /// <summary>
    /// Trains the next epoch (or the rest of the one in progress), then evaluates on the test split. Returns the
    /// epoch's record, or null when <paramref name="cancel"/> stopped it between batches; <see cref="Cursor"/> then
    /// says where to continue.
    /// </summary>
    public EpochRecord? TrainEpoch(ITrainingObserver observer, CancellationToken cancel)
    {
        int n = _data.TrainCount, batchSize = Options.BatchSize, batches = BatchesPerEpoch;
        var cursor = Cursor ?? NewCursor(CompletedEpochs + 1, n);
        observer.EpochStarted(cursor.Epoch, Options.Epochs, batches, cursor.NextBatch);
        long totalSteps = (long)Options.Epochs * batches;
        double lossSum = cursor.LossSum, seconds = cursor.Seconds;
        long correct = cursor.Correct, seen = cursor.Seen;
        int batch = cursor.NextBatch;
        Kind.SetTrainingMode(Model);
        var clock = Stopwatch.StartNew();
        using (var permutation = tensor(cursor.Permutation, int64).to(Device))
        {
            while (batch < batches)
            {
                if (cancel.IsCancellationRequested)
                {
                    break;
                }
                int start = batch * batchSize, count = Math.Min(batchSize, n - start);
                using (NewDisposeScope())
                {
                    if (Options.LrSchedule != LearningRateDecay.None)
                    {
                        double lr = LearningRateSchedule.At(Options.LrSchedule, Options.LearningRate, ((long)(cursor.Epoch - 1) * batches) + batch, totalSteps);
                        int g = 0;
                        foreach (var group in Optimizer.ParamGroups)
                        {
                            group.LearningRate = lr * _groupRateScales[g++];
                        }
                    }
                    var index = permutation.narrow(0, start, count);
                    var x = _data.TrainX.index_select(0, index);
                    var y = _data.TrainY.index_select(0, index);
                    if (_augmenter is { IsActive: true })
                    {
                        x = _augmenter.Apply(x);
                    }
                    Optimizer.zero_grad();
                    var output = Model.forward(x);
                    var loss = Loss(output, y, Options.Loss, nn.Reduction.Mean);
                    loss.backward();
                    Optimizer.step();
                    lossSum += loss.ToDouble() * count;
                    correct += _data.IsRegression ? 0 : CountCorrect(output, y);
                    seen += count;
                }
                batch++;
                double elapsed = seconds + clock.Elapsed.TotalSeconds;
                observer.BatchCompleted(cursor.Epoch, batch, batches, lossSum / seen, seen / Math.Max(elapsed, 1e-9));
            }
        }
        seconds += clock.Elapsed.TotalSeconds;
        if (batch < batches)
        {
            Cursor = cursor with { NextBatch = batch, LossSum = lossSum, Correct = correct, Seen = seen, Seconds = seconds };
            return null;
        }
        var (testLoss, testAcc) = Evaluate(_data.TestX, _data.TestY);
        // A regression's score is R², which a running sum over batches of a changing network cannot give: the
        // finished epoch's network is scored on the whole training split.
        double trainScore = _data.IsRegression ? Evaluate(_data.TrainX, _data.TrainY).Accuracy : (double)correct / seen;
        // Each batch leaves small managed tensor wrappers behind (their native memory is already freed by the dispose
        // scope), and loading leaves large pixel arrays; an aggressive collection once per epoch returns that memory to
        // the OS, so resident memory stays flat instead of growing for epochs until the GC shrinks it. A few ms an epoch.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var record = WithValidation(new EpochRecord(cursor.Epoch, lossSum / seen, trainScore, testLoss, testAcc, seconds, seen / Math.Max(seconds, 1e-9)));
        History.Add(record);
        CompletedEpochs = cursor.Epoch;
        Cursor = null;
        if (record.ValidationLoss is { } validationLoss && (BestEpoch is null || validationLoss < History.Last(r => r.Epoch == BestEpoch).ValidationLoss))
        {
            BestEpoch = record.Epoch;
            BestWeights = Options.Patience > 0 ? SerializeWeights() : null;
        }
        observer.EpochCompleted(record, Options.Epochs);
        return record;
    }

    /// <summary><paramref name="record"/> with the validation figures of the model as it is, when there is a validation split.</summary>
    private EpochRecord WithValidation(EpochRecord record)
    {
        if (_data.ValidationX is not { } vx || _data.ValidationY is not { } vy)
        {
            return record;
        }
        var (loss, accuracy) = Evaluate(vx, vy);
        return record with { ValidationLoss = loss, ValidationAccuracy = accuracy };
    }

    /// <summary>
    /// Ends training with the best epoch's weights when early stopping is on: marks the run stopped early when its
    /// patience ran out, and loads <see cref="BestEpoch"/>'s weights back unless the last epoch was the best.
    /// Returns the best epoch when weights came back, else null.
    /// </summary>
    public int? RestoreBest()
    {
        if (Options.Patience == 0 || BestEpoch is not { } best || RestoredBest)
        {
            return null;
        }
        StoppedEarly = CompletedEpochs < Options.Epochs;
        RestoredBest = true;
        if (best == CompletedEpochs || BestWeights is null)
        {
            return null;
        }
        using var r = new BinaryReader(new MemoryStream(BestWeights));
        Model.load(r, strict: true);
        return best;
    }

    private byte[] SerializeWeights()
    {
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            Model.save(w);
        }
        return ms.ToArray();
    }

    /// <summary>
    /// Mean loss and accuracy of the model in eval mode over a whole split; for a regression the loss is per target value
    /// and the "accuracy" is R² (averaged over targets), the score history.csv and restarts compare.
    /// </summary>
    public (double Loss, double Accuracy) Evaluate(Tensor inputs, Tensor targets)
    {
        if (_data.IsRegression)
        {
            var (loss, scores) = EvaluateRegression(inputs, targets);
            return (loss, scores.MeanR2);
        }
        Model.eval();
        long n = inputs.shape[0];
        double lossSum = 0;
        long correct = 0;
        const long chunk = 1000;
        using (no_grad())
        {
            for (long start = 0; start < n; start += chunk)
            {
                using var scope = NewDisposeScope();
                long count = Math.Min(chunk, n - start);
                var x = inputs.narrow(0, start, count);
                var y = targets.narrow(0, start, count);
                var output = Model.forward(x);
                lossSum += Loss(output, y, Options.Loss, nn.Reduction.Sum).ToDouble();
                correct += CountCorrect(output, y);
            }
        }
        return (lossSum / Math.Max(1, n), (double)correct / Math.Max(1, n));
    }

    /// <summary>
    /// A regression's mean loss per target value and its scores in standardised units (see
    /// <see cref="RegressionReport.InUnits"/>) over a whole split, in eval mode.
    /// </summary>
    public (double Loss, RegressionReport Scores) EvaluateRegression(Tensor inputs, Tensor targets)
    {
        Model.eval();
        long n = inputs.shape[0];
        double lossSum = 0;
        var scores = new RegressionScores(_data.OutputWidth);
        const long chunk = 1000;
        using (no_grad())
        {
            for (long start = 0; start < n; start += chunk)
            {
                using var scope = NewDisposeScope();
                long count = Math.Min(chunk, n - start);
                var y = targets.narrow(0, start, count);
                var output = Model.forward(inputs.narrow(0, start, count));
                lossSum += Loss(output, y, Options.Loss, nn.Reduction.Sum).ToDouble();
                scores.Add(output, y);
            }
        }
        return (lossSum / Math.Max(1, n * _data.OutputWidth), scores.Report());
    }

    /// <summary>The loss the options name; MSE, Huber and MAE are over all output elements, as nn.MSELoss.</summary>
    public static Tensor Loss(Tensor output, Tensor target, LossFunction loss, nn.Reduction reduction) => loss switch
    {
        LossFunction.Mse => nn.functional.mse_loss(output, target, reduction),
        LossFunction.CrossEntropy => nn.functional.cross_entropy(output, target, reduction: reduction),
        LossFunction.Huber => nn.functional.huber_loss(output, target, reduction: reduction, delta: 1.0),
        LossFunction.Mae => nn.functional.l1_loss(output, target, reduction),
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, null),
    };

    private static long CountCorrect(Tensor output, Tensor target)
    {
        using var scope = NewDisposeScope();
        var predicted = output.shape[1] == 1 ? output.gt(0.5) : output.argmax(1);
        var truth = output.shape[1] == 1 ? target.gt(0.5) : target;
        return predicted.eq(truth).sum().ToInt64();
    }

    private static EpochCursor NewCursor(int epoch, int n)
    {
        // The notebook draws torch.randperm(N) from the global CPU generator at the start of every epoch.
        using var perm = randperm(n);
        return new EpochCursor(epoch, perm.data<long>().ToArray(), 0, 0, 0, 0, 0);
    }

    /// <summary>
    /// The optimizer over the kind's parameter groups, and each group's share of the base rate. One group at the base
    /// rate (every spec model) is built from the parameter list as before, so its state and checkpoints stay as they were.
    /// </summary>
    private static (OptimizerHelper, double[]) CreateOptimizer(TrainingOptions o, IModelKind kind, Module<Tensor, Tensor> model)
    {
        var groups = kind.ParameterGroups(model);
        var scales = groups.Select(g => g.LearningRateScale).ToArray();
        if (groups.Count == 1 && scales[0] == 1.0)
        {
            return (o.Optimizer switch
            {
                OptimizerKind.Sgd => optim.SGD(groups[0].Parameters, o.LearningRate, momentum: o.Momentum, weight_decay: o.WeightDecay),
                OptimizerKind.Adam => optim.Adam(groups[0].Parameters, o.LearningRate, weight_decay: o.WeightDecay),
                _ => throw UnknownOptimizer(o),
            }, scales);
        }
        return (o.Optimizer switch
        {
            OptimizerKind.Sgd => optim.SGD(groups.Select(g => new SGD.ParamGroup(g.Parameters, o.LearningRate * g.LearningRateScale, o.Momentum, weight_decay: o.WeightDecay)), o.LearningRate, momentum: o.Momentum, weight_decay: o.WeightDecay),
            OptimizerKind.Adam => optim.Adam(groups.Select(g => new Adam.ParamGroup(g.Parameters, o.LearningRate * g.LearningRateScale, weight_decay: o.WeightDecay)), o.LearningRate, weight_decay: o.WeightDecay),
            _ => throw UnknownOptimizer(o),
        }, scales);
    }

    private static Contracts.ToolchainException UnknownOptimizer(TrainingOptions o) =>
        new($"--optimizer: {RecipeText.Unknown<OptimizerKind>(o.Optimizer.ToString())}");

    /// <inheritdoc />
    public void Dispose()
    {
        Optimizer.Dispose();
        Model.Dispose();
    }
}
