using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Toolchain.Contracts;
using Toolchain.Shared.Charts;
using Toolchain.Shared.Cli;
using Toolchain.Shared.Data;
using Toolchain.Shared.Errors;
using Toolchain.Trainer.Models;
using Toolchain.Trainer.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Toolchain.Trainer.Cli;

/// <summary>The <c>trainer train</c> command: resolves options, trains, writes the artifacts and exports ONNX.</summary>
public static class TrainCommand
{
    /// <summary>
    /// Runs the command with the words after its name; returns the exit code. Ctrl-C or SIGTERM stops it gracefully,
    /// with <see cref="ExitCodes.Interrupted"/> or <see cref="ExitCodes.Terminated"/> after the checkpoint.
    /// </summary>
    public static int Run(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        PosixSignal? stoppedBy = null;
        void Stop(PosixSignalContext ctx)
        {
            // The first signal finishes the batch and checkpoints; a second one kills the process as usual.
            if (!cancel.IsCancellationRequested)
            {
                ctx.Cancel = true;
                stoppedBy = ctx.Signal;
                cancel.Cancel();
            }
            else
            {
                TemporaryPaths.DeleteAll(ctx.Signal);
            }
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        int code = Run(args, Console.Out, Console.Error, cancel.Token);
        // The token only says that training was stopped; which signal stopped it picks the code a shell expects
        // (cancel.Cancel() ran after stoppedBy was set, so the token's fired state makes it visible here).
        return code == ExitCodes.Interrupted ? ExitCodes.ForSignal(stoppedBy) : code;
    }

    /// <summary>
    /// Runs the command writing to the given streams; <paramref name="cancel"/> acts as Ctrl-C (the run then ends
    /// with <see cref="ExitCodes.Interrupted"/> after writing a checkpoint).
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancel)
    {
        var parsed = CommandArguments.Parse<TrainArguments>("train", args, output, error, out int code, "which model to train? xor, mlp or cnn");
        if (parsed is null)
        {
            return code;
        }
        try
        {
            return Execute(parsed, output, error, cancel);
        }
        catch (UsageException e)
        {
            error.WriteLine($"trainer train: {TerminalText.Escape(e.Message)} (see 'trainer train --help')");
            return ExitCodes.Failed;
        }
        catch (ToolchainException e)
        {
            error.WriteLine($"trainer train: {TerminalText.Escape(e.Message)}");
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"trainer train: {TerminalText.Escape(e.Message)}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>The options a fresh run uses: the model's preset, overridden by what was given, validated.</summary>
    public static TrainingOptions ResolveOptions(TrainArguments a)
    {
        RefuseExtraWords(a);
        var model = RecipeText.Parse<BuiltInModel>(a.Model) ?? throw new ToolchainException(RecipeText.Unknown<BuiltInModel>(a.Model));
        var o = ModelPresets.For(model, a.Preset is null ? RecipePreset.Default : FlagValue<RecipePreset>("--preset", a.Preset));
        if (model == BuiltInModel.Xor && a.Dataset is not null && a.Dataset != TrainingDataLoader.Xor)
        {
            throw new ToolchainException("--dataset: xor trains on the notebook's XOR data; use --data-seed for another draw");
        }
        if (model != BuiltInModel.Xor && a.Dataset == TrainingDataLoader.Xor)
        {
            throw new ToolchainException($"--dataset: xor data is for the xor model, not {a.Model}");
        }
        o = o with
        {
            Architecture = a.Arch ?? o.Architecture,
            Dataset = a.Dataset ?? o.Dataset,
            Epochs = a.Epochs ?? o.Epochs,
            BatchSize = a.BatchSize ?? o.BatchSize,
            LearningRate = a.Lr ?? o.LearningRate,
            Optimizer = a.Optimizer is null ? o.Optimizer : FlagValue<OptimizerKind>("--optimizer", a.Optimizer.ToLowerInvariant()),
            Momentum = a.Momentum ?? o.Momentum,
            WeightDecay = a.WeightDecay ?? o.WeightDecay,
            LrSchedule = a.LrSchedule is null ? o.LrSchedule : FlagValue<LearningRateDecay>("--lr-schedule", a.LrSchedule.ToLowerInvariant()),
            AugmentShift = a.Augment ?? o.AugmentShift,
            Seed = a.Seed ?? o.Seed,
            Restarts = a.Restarts ?? o.Restarts,
            DataSeed = a.DataSeed ?? o.DataSeed,
            LabelColumn = a.LabelColumn ?? o.LabelColumn,
            IgnoreColumns = a.IgnoreColumns?.Where(c => c.Length > 0).ToList() is { Count: > 0 } ignored ? ignored : o.IgnoreColumns,
            TestFraction = a.TestFraction ?? o.TestFraction,
            SplitSeed = a.SplitSeed ?? o.SplitSeed,
            Channels = a.Channels ?? o.Channels,
            ImageSize = a.ImageSize ?? o.ImageSize,
            Strict = a.Strict || o.Strict,
        };
        o.Validate();
        return o;
    }

    /// <summary>
    /// The value a recipe flag names; any other word is one line naming the flag, the word and the known values.
    /// --preset takes its exact spelling, as the model does; --optimizer and --lr-schedule are lowered by the caller first.
    /// </summary>
    private static T FlagValue<T>(string flag, string text) where T : struct, Enum =>
        RecipeText.Parse<T>(text) ?? throw new ToolchainException($"{flag}: {RecipeText.Unknown<T>(text)}");

    private static void RefuseExtraWords(TrainArguments a)
    {
        if (a.Extra.FirstOrDefault() is { } word)
        {
            throw new ToolchainException($"unexpected argument '{word}' after the model (options start with --)");
        }
    }

    /// <summary>
    /// The options a resumed run uses: the checkpoint's, with only --epochs changeable; any other option given must
    /// agree with the checkpoint, because changing it would not continue the same run.
    /// </summary>
    public static TrainingOptions ResolveResumeOptions(TrainingOptions stored, TrainArguments a, string checkpointPath)
    {
        RefuseExtraWords(a);
        // Given words are compared with the stored values' text, so a word that is no value at all is reported as differing.
        if (a.Model != RecipeText.Of(stored.Model))
        {
            throw new ToolchainException($"{checkpointPath}: this checkpoint is a {RecipeText.Of(stored.Model)} run, not {a.Model}");
        }
        static void Same<T>(string flag, T? given, T stored2)
        {
            if (given is not null && !EqualityComparer<T>.Default.Equals(given, stored2))
            {
                throw DiffersFromCheckpoint(flag, given.ToString(), stored2?.ToString());
            }
        }
        Same("--arch", a.Arch is null ? null : ArchitectureSpec.Parse(a.Arch).Canonical, ArchitectureSpec.Parse(stored.Architecture).Canonical);
        Same("--batch-size", a.BatchSize?.ToString(CultureInfo.InvariantCulture), stored.BatchSize.ToString(CultureInfo.InvariantCulture));
        Same("--lr", a.Lr is { } lr ? Num(lr) : null, Num(stored.LearningRate));
        Same("--optimizer", a.Optimizer?.ToLowerInvariant(), RecipeText.Of(stored.Optimizer));
        Same("--momentum", a.Momentum is { } m ? Num(m) : null, Num(stored.Momentum));
        Same("--weight-decay", a.WeightDecay is { } w ? Num(w) : null, Num(stored.WeightDecay));
        Same("--lr-schedule", a.LrSchedule?.ToLowerInvariant(), RecipeText.Of(stored.LrSchedule));
        Same("--augment", a.Augment?.ToString(CultureInfo.InvariantCulture), stored.AugmentShift.ToString(CultureInfo.InvariantCulture));
        Same("--seed", a.Seed?.ToString(CultureInfo.InvariantCulture), stored.Seed.ToString(CultureInfo.InvariantCulture));
        Same("--data-seed", a.DataSeed?.ToString(CultureInfo.InvariantCulture), stored.DataSeed.ToString(CultureInfo.InvariantCulture));
        Same("--preset", a.Preset, RecipeText.Of(stored.Preset));
        var o = stored with { Epochs = a.Epochs ?? stored.Epochs };
        o.Validate();
        return o;
    }

    private static ToolchainException DiffersFromCheckpoint(string flag, string? given, string? stored) =>
        new($"{flag} {given} differs from the checkpoint's {stored}; --resume continues the run as it was (drop {flag}, or train into a new --out)");

    private static int Execute(TrainArguments a, TextWriter output, TextWriter error, CancellationToken cancel)
    {
        var wall = Stopwatch.StartNew();
        var paths = RunPaths.From(a);
        // Checked before training, so a typo costs nothing.
        var pixelInput = IExportInputOption.IsPixels(a);
        var (options, resume) = ResolveRun(a, paths);
        int threads = ResolveThreads(a, options);
        var device = DeviceSelector.Resolve(a.Device?.ToLowerInvariant() ?? "auto");
        // Everything the run writes goes into outDir: a folder it cannot write to fails now, not after the first epoch;
        // one this run creates is removed again if the run fails before writing into it.
        using var created = CreatedFolders.Track(paths.OutDir);
        WritableFolder.Require(paths.OutDir);
        torch.set_num_threads(threads);
        void Say(string line)
        {
            if (!a.Quiet)
            {
                // Notices name class folders and columns, which may hold a newline or a terminal escape.
                output.WriteLine(TerminalText.Escape(line));
            }
        }
        Say($"device: {device.type.ToString().ToLowerInvariant()}{(device.type == DeviceType.CPU ? $" ({threads} threads)" : "")}" +
            (a.Device is null or "auto" && device.type == DeviceType.CPU ? "; CUDA not available" : ""));
        if (WritableFolder.RemoveStaleTemporaryFiles(paths.OutDir) is { } removed)
        {
            Say(removed);
        }

        var (data, resolved) = LoadData(options, resume, paths, device, Say, a.Quiet ? null : DecodeProgress(output));
        using (data)
        {
            resume?.CheckFits(data);
            options = FitClassCount(options, a, resume, data);
            options = FitTableEpochs(options, a, resume, data, Say);
            options = FitAugmentation(options, a, resume, data, Say);
            var spec = ModelTrainer.ValidateArchitecture(options.Architecture, data);
            AnnounceRun(options, resume, data, spec, Say);

            var view = new TrainProgressView(output, a.Quiet);
            FirstBatchClock? clock = null;
            var outcome = view.Run(observer => ModelTrainer.Run(options, data, device, paths.OutDir, resolved, resume, clock = new FirstBatchClock(observer), cancel));
            using var run = outcome.Run;
            if (clock?.Seconds is { } startup)
            {
                Say(string.Create(CultureInfo.InvariantCulture, $"start-up: training began {startup:0.00} s after the process started"));
            }
            WriteCharts(paths.OutDir, run, data);
            if (outcome.Interrupted)
            {
                ReportInterruption(output, options, run, paths);
                return ExitCodes.Interrupted;
            }

            var (onnxPath, parity, exportError) = a.NoExport ? (null, null, null) : TryExport(run, spec, data, paths.OutDir, pixelInput, Say);
            var metrics = BuildMetrics(options, run, data, outcome, device, threads, wall.Elapsed.TotalSeconds, onnxPath, parity) with
            {
                StartupSeconds = clock?.Seconds,
            };
            metrics.Write(Path.Combine(paths.OutDir, "metrics.json"));
            if (exportError is not null)
            {
                throw new ToolchainException($"training finished but the export failed: {exportError.Message}", exportError);
            }
            ReportResult(output, error, options, run, data, metrics, device, threads, paths.OutDir);
            return ExitCodes.Ok;
        }
    }

    /// <summary>Where a run reads and writes: its output folder, the catalog's data root and the checkpoint file.</summary>
    private sealed record RunPaths(string OutDir, string DataRoot, string CheckpointPath)
    {
        public static RunPaths From(TrainArguments a)
        {
            var outDir = Path.GetFullPath(CommandArguments.PathOption("--out", a.Out) ?? Path.Combine("artifacts", a.Model));
            var dataRoot = IDataDirOption.FolderOf(a);
            return new RunPaths(outDir, dataRoot, Path.Combine(outDir, Checkpoint.FileName));
        }
    }

    /// <summary>The options of a fresh run, or of the checkpoint being resumed (with that checkpoint).</summary>
    private static (TrainingOptions Options, CheckpointContents? Resume) ResolveRun(TrainArguments a, RunPaths paths)
    {
        if (!a.Resume)
        {
            return (ResolveOptions(a), null);
        }
        if (!File.Exists(paths.CheckpointPath))
        {
            throw new InvalidInputFileException(paths.CheckpointPath, "no checkpoint to resume; train without --resume first");
        }
        var resume = Checkpoint.Read(paths.CheckpointPath);
        var options = ResolveResumeOptions(resume.Options, a, paths.CheckpointPath);
        // Without --dataset the run continues on the checkpoint's data; a given one must be that same data.
        if (a.Dataset is not null && !TrainingDataLoader.SameDataset(a.Dataset, resume.DatasetSpec, paths.DataRoot))
        {
            throw DiffersFromCheckpoint("--dataset", a.Dataset, resume.DatasetSpec);
        }
        return (options, resume);
    }

    private static int ResolveThreads(TrainArguments a, TrainingOptions options)
    {
        // xor's 2×2 layers gain nothing from threads, and on a busy machine thread hand-offs make it many times slower.
        // Tables are as small: a 4-feature MLP's batches cost less than handing them to a second thread.
        int threads = a.Threads ?? (options.Model == BuiltInModel.Xor || Shared.Data.Tables.TableDataset.IsTable(options.Dataset) ? 1 : Environment.ProcessorCount);
        return threads >= 1 ? threads : throw new ToolchainException($"--threads must be at least 1, not {threads}");
    }

    /// <summary>
    /// A progress bar for decoding an image folder: on a terminal one line redrawn about 50 times; into a log or a pipe
    /// a plain line at every tenth, so the log holds no carriage returns.
    /// </summary>
    private static Action<int, int> DecodeProgress(TextWriter output)
    {
        bool redraw = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        int steps = redraw ? 50 : 10;
        var gate = new object();
        int shown = -1;
        return (done, total) =>
        {
            int step = done * steps / Math.Max(1, total);
            lock (gate)
            {
                if (step <= shown && done != total)
                {
                    return;
                }
                shown = step;
                if (redraw)
                {
                    output.Write(string.Create(CultureInfo.InvariantCulture,
                        $"\rdecoding images [{new string('#', step)}{new string('.', 50 - step)}] {done:N0}/{total:N0}"));
                    if (done == total)
                    {
                        output.WriteLine();
                    }
                }
                else
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"decoding images: {done:N0}/{total:N0}"));
                }
            }
        };
    }

    private static (TrainingData Data, string Resolved) LoadData(TrainingOptions options, CheckpointContents? resume, RunPaths paths,
        Device device, Action<string> say, Action<int, int>? progress)
    {
        // A resumed run keeps the normalisation it started with, so its inputs mean what they meant before.
        (double[], double[])? normalization =
            resume is not null && options.Model != BuiltInModel.Xor ? resume.Card.NormalizationFor(resume.InputShape.Length == 3 ? (int)resume.InputShape[0] : 1)
            : options.NormalizationMean is { } m && options.NormalizationStd is { } s ? ([m], [s])
            : null;
        var dataset = resume?.DatasetSpec ?? options.Dataset;
        var request = new DataRequest(dataset, paths.DataRoot, options, normalization) { CacheDirectory = Path.GetFullPath(Path.Combine("artifacts", "cache")), Progress = progress };
        return TrainingDataLoader.Load(request, device, say);
    }

    private static TrainingOptions FitClassCount(TrainingOptions options, TrainArguments a, CheckpointContents? resume, TrainingData data)
    {
        // The built-in networks end in one logit per digit; a dataset of another class count gets as many.
        return resume is null && a.Arch is null && !data.IsXor && data.ClassNames.Count != 10
            ? options with { Architecture = ModelPresets.ForClasses(options.Architecture, data.ClassNames.Count) }
            : options;
    }

    /// <summary>Optimizer steps a table run takes by default: a few epochs of a 150-row table would be a dozen steps.</summary>
    public const int TableSteps = 2000;

    /// <summary>
    /// A table trained without --epochs gets enough epochs for about <see cref="TableSteps"/> steps (5 to 500):
    /// MNIST's five epochs are thousands of steps, a small table's are a handful.
    /// </summary>
    private static TrainingOptions FitTableEpochs(TrainingOptions options, TrainArguments a, CheckpointContents? resume, TrainingData data, Action<string> say)
    {
        if (resume is not null || a.Epochs is not null || data.Kind != DataKind.Table)
        {
            return options;
        }
        int batches = (data.TrainCount + options.BatchSize - 1) / options.BatchSize;
        int epochs = Math.Clamp((TableSteps + batches - 1) / batches, 5, 500);
        say($"epochs: {epochs} ({batches} batches each; --epochs sets another count)");
        return options with { Epochs = epochs };
    }

    /// <summary>
    /// The shift a fresh run augments with, recorded as it is used (card and metrics): <c>--augment N</c> as given;
    /// else the preset's shift, set for 28×28 digits, scaled to the image size (<see cref="ShiftAugmentation.ScaledTo"/>);
    /// none for tables and xor, which have no pixels to shift. A resumed run keeps its checkpoint's.
    /// </summary>
    private static TrainingOptions FitAugmentation(TrainingOptions options, TrainArguments a, CheckpointContents? resume, TrainingData data, Action<string> say)
    {
        if (resume is not null)
        {
            return options;
        }
        if (!data.IsImage)
        {
            return a.Augment is > 0
                ? throw new ToolchainException($"--augment shifts images; {data.Name} is a table of features, with no pixels to shift")
                : options with { AugmentShift = 0 };
        }
        if (a.Augment is not null)
        {
            return options;
        }
        long height = data.InputShape[^2], width = data.InputShape[^1];
        int shift = ShiftAugmentation.ScaledTo(options.AugmentShift, height, width);
        if (shift != options.AugmentShift)
        {
            say(string.Create(CultureInfo.InvariantCulture,
                $"augment: shifts of up to {shift} px for {height}×{width} images ({options.AugmentShift} px at {ShiftAugmentation.ReferenceSide}×{ShiftAugmentation.ReferenceSide}; --augment sets another)"));
        }
        return options with { AugmentShift = shift };
    }

    private static void AnnounceRun(TrainingOptions options, CheckpointContents? resume, TrainingData data, ArchitectureSpec spec, Action<string> say)
    {
        say(string.Create(CultureInfo.InvariantCulture,
            $"{(resume is null ? "training" : $"resuming from epoch {resume.Epoch}{(resume.Cursor is { } c ? $" (batch {c.NextBatch})" : "")} of")} {RecipeText.Of(options.Model)} on {data.Name} " +
            $"({data.TrainCount:N0} train, {data.TestCount:N0} test): {spec.Canonical}"));
        if (resume is not null && options.LrSchedule != LearningRateDecay.None && options.Epochs != resume.Options.Epochs)
        {
            say($"note: the {RecipeText.Of(options.LrSchedule)} learning-rate schedule now spans {options.Epochs} epochs instead of {resume.Options.Epochs}");
        }
        if (resume is not null && options.Restarts > 1)
        {
            say("--restarts does not apply on resume: continuing the initialisation in the checkpoint");
        }
    }

    private static void ReportInterruption(TextWriter output, TrainingOptions options, TrainingRun run, RunPaths paths)
    {
        var where = run.Cursor is { } cur ? $"epoch {cur.Epoch}, batch {cur.NextBatch}/{run.BatchesPerEpoch}" : $"epoch {run.CompletedEpochs}";
        output.WriteLine($"interrupted at {where}; checkpoint written to {paths.CheckpointPath}");
        output.WriteLine($"resume with: trainer train {RecipeText.Of(options.Model)} --out {Quote(paths.OutDir)} --resume");
    }

    /// <summary>
    /// Exports model.onnx. A refused export is returned rather than thrown, so that metrics.json is still written
    /// before the run reports the failure.
    /// </summary>
    private static (string? Path, double? Parity, ToolchainException? Error) TryExport(TrainingRun run, ArchitectureSpec spec, TrainingData data,
        string outDir, bool pixelInput, Action<string> say)
    {
        try
        {
            var result = ModelExport.Export(run.Model, spec, TrainingCard.Build(run, data), data, Path.Combine(outDir, "model.onnx"), pixelInput);
            say($"exported {result.Summary}");
            return (result.Path, result.MaxAbsDiff, null);
        }
        catch (ToolchainException e)
        {
            return (null, null, e);
        }
    }

    private static void ReportResult(TextWriter output, TextWriter error, TrainingOptions options, TrainingRun run, TrainingData data,
        MetricsReport metrics, Device device, int threads, string outDir)
    {
        var last = run.History[^1];
        if (PoorResultNote(run, data) is { } note)
        {
            error.WriteLine($"trainer train: note: {note}");
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{RecipeText.Of(options.Model)}: test accuracy {100 * last.TestAccuracy:0.00}% (loss {last.TestLoss:0.0000}) on {data.Name} after {run.CompletedEpochs} epochs, " +
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
                $"{RecipeText.Of(run.Options.Model)} reached only {100 * trainAccuracy:0.00}% training accuracy after {run.CompletedEpochs} epochs: a small sigmoid net " +
                $"can stall in a local minimum from this initialisation; --restarts {XorRestartsHint} keeps the best of {XorRestartsHint}");
        }
        double chance = 1.0 / data.ClassNames.Count, testAccuracy = run.History[^1].TestAccuracy;
        return testAccuracy > chance + 0.05 ? null : string.Create(CultureInfo.InvariantCulture,
            $"{RecipeText.Of(run.Options.Model)} reached only {100 * testAccuracy:0.00}% test accuracy, about chance for {data.ClassNames.Count} classes: " +
            $"the network did not learn; check --lr and the data");
    }

    private const int XorRestartsHint = 5;

    private static void WriteCharts(string outDir, TrainingRun run, TrainingData data)
    {
        TrainingHistory.Write(Path.Combine(outDir, "history.csv"), run.History);
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

    private static MetricsReport BuildMetrics(TrainingOptions o, TrainingRun run, TrainingData data, TrainingOutcome outcome, Device device,
        int threads, double wallSeconds, string? onnx, double? parity)
    {
        var last = run.History[^1];
        var trained = run.History.Where(r => r.Epoch > 0).ToList();
        double seconds = trained.Sum(r => r.Seconds);
        return new MetricsReport
        {
            Model = RecipeText.Of(o.Model),
            Architecture = run.Spec.Canonical,
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
            Restarts = outcome.Trials.Select(t => new RestartResult(t.Seed, t.TrainLoss, t.TrainAccuracy)).ToList(),
            Onnx = onnx,
            ExportMaxAbsDiff = parity,
        };
    }

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Quote(string path) => path.Contains(' ') ? $"'{path}'" : path;
}
