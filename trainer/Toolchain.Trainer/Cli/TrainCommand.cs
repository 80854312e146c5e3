using System.Diagnostics;
using System.Globalization;
using Toolchain.Cli;
using Toolchain.Cli.Output;
using Toolchain.Contracts;
using Toolchain.Data;
using Toolchain.Trainer.Models;
using Toolchain.Trainer.Onnx;
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
    public static int Run(string[] args) => GracefulStop.Run(cancel => Run(args, Console.Out, Console.Error, cancel));

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

    private static int Execute(TrainArguments a, TextWriter output, TextWriter error, CancellationToken cancel)
    {
        var wall = Stopwatch.StartNew();
        var paths = RunPaths.From(a);
        // Checked before training, so a typo costs nothing.
        var export = new ExportSettings(IExportInputOption.IsPixels(a));
        var (options, resume) = ResolveRun(a, paths);
        int threads = ResolveThreads(a, options);
        var device = DeviceSelector.Resolve(a.Device?.ToLowerInvariant() ?? "auto");
        // Everything the run writes goes into outDir: a folder it cannot write to fails now, not after the first epoch;
        // one this run creates is removed again if the run fails before writing into it.
        using var created = CreatedFolders.Track(paths.OutDir);
        OutputFolder.RequireWritable(paths.OutDir);
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
        if (OutputFolder.RemoveStaleTemporaryFiles(paths.OutDir) is { } removed)
        {
            Say(removed);
        }

        using var session = TrainingSession.Open(new TrainingRequest
        {
            Options = options,
            Resume = resume,
            OutDir = paths.OutDir,
            DataRoot = paths.DataRoot,
            Device = device,
            Threads = threads,
            Given = new GivenOptions(Architecture: a.Arch is not null, Epochs: a.Epochs is not null, Augment: a.Augment is not null && TrainOptionsResolver.AugmentOption(a.Augment).Level == AugmentLevel.Shift,
                Loss: a.Loss is not null),
            CacheDirectory = Path.GetFullPath(Path.Combine("artifacts", "cache")),
            DecodeProgress = a.Quiet ? null : DecodeProgressLine.For(output),
        }, Say);
        AnnounceRun(session, resume, Say);

        var view = new TrainProgressView(output, a.Quiet, session.Data.IsRegression);
        FirstBatchClock? clock = null;
        var outcome = view.Run(observer => session.Train(clock = new FirstBatchClock(observer), cancel));
        using var run = outcome.Run;
        if (clock?.Seconds is { } startup)
        {
            Say(string.Create(CultureInfo.InvariantCulture, $"start-up: training began {startup:0.00} s after the process started"));
        }
        session.WriteCharts(run);
        if (outcome.Interrupted)
        {
            TrainReport.Interruption(output, session.Options, run, paths.CheckpointPath, paths.OutDir);
            return ExitCodes.Interrupted;
        }

        // A refused export is reported after metrics.json is written, so the run's figures are kept.
        ExportResult? exported = null;
        ToolchainException? exportError = null;
        if (!a.NoExport)
        {
            try
            {
                exported = session.Export(run, export);
                Say($"exported {exported.Summary}");
            }
            catch (ToolchainException e)
            {
                exportError = e;
            }
        }
        var metrics = session.WriteArtifacts(outcome, wall.Elapsed.TotalSeconds, clock?.Seconds, exported);
        if (exportError is not null)
        {
            throw new ToolchainException($"training finished but the export failed: {exportError.Message}", exportError);
        }
        TrainReport.Result(output, error, session.Options, run, session.Data, metrics, device, threads, paths.OutDir);
        return ExitCodes.Ok;
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
            return (TrainOptionsResolver.ResolveOptions(a), null);
        }
        if (!File.Exists(paths.CheckpointPath))
        {
            throw new InvalidInputFileException(paths.CheckpointPath, "no checkpoint to resume; train without --resume first");
        }
        var resume = Checkpoint.Read(paths.CheckpointPath);
        var options = TrainOptionsResolver.ResolveResumeOptions(resume.Options, a, paths.CheckpointPath);
        // Without --dataset the run continues on the checkpoint's data; a given one must be that same data.
        if (a.Dataset is not null && !TrainingDataLoader.SameDataset(a.Dataset, resume.DatasetSpec, paths.DataRoot))
        {
            throw TrainOptionsResolver.DiffersFromCheckpoint("--dataset", a.Dataset, resume.DatasetSpec);
        }
        return (options, resume);
    }

    private static int ResolveThreads(TrainArguments a, TrainingOptions options)
    {
        // xor's 2×2 layers gain nothing from threads, and on a busy machine thread hand-offs make it many times slower.
        // Tables are as small: a 4-feature MLP's batches cost less than handing them to a second thread.
        int threads = a.Threads ?? (options.Model == BuiltInModel.Xor || Toolchain.Data.Tables.TableDataset.IsTable(options.Dataset) ? 1 : Environment.ProcessorCount);
        return threads >= 1 ? threads : throw new ToolchainException($"--threads must be at least 1, not {threads}");
    }

    private static void AnnounceRun(TrainingSession session, CheckpointContents? resume, Action<string> say)
    {
        var (options, data) = (session.Options, session.Data);
        say(string.Create(CultureInfo.InvariantCulture,
            $"{(resume is null ? "training" : $"resuming from epoch {resume.Epoch}{(resume.Cursor is { } c ? $" (batch {c.NextBatch})" : "")} of")} {EnumText.Of(options.Model)} on {data.Name} " +
            $"({data.TrainCount:N0} train, {data.TestCount:N0} test): {session.Kind.Architecture}"));
        if (resume is not null && options.LrSchedule != LearningRateDecay.None && options.Epochs != resume.Options.Epochs)
        {
            say($"note: the {EnumText.Of(options.LrSchedule)} learning-rate schedule now spans {options.Epochs} epochs instead of {resume.Options.Epochs}");
        }
        if (resume is not null && options.Restarts > 1)
        {
            say("--restarts does not apply on resume: continuing the initialisation in the checkpoint");
        }
    }
}
