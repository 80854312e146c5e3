using System.Diagnostics;
using System.Globalization;
using Toolchain.Cli;
using Toolchain.Cli.Output;
using Toolchain.Contracts;
using Toolchain.Trainer.Transfer;
using TorchSharp;

namespace Toolchain.Trainer.Cli;

/// <summary>
/// <c>trainer train transfer</c>: a head on a pretrained backbone's features, optionally fine-tuning the backbone,
/// exported as one model.onnx. The work is <see cref="TransferTrainer"/>'s; this parses, reports and writes.
/// </summary>
public static class TransferCommand
{
    /// <summary>The command's name after <c>trainer train</c>.</summary>
    public const string Name = "transfer";

    /// <summary>Runs with the words after <c>trainer train transfer</c>; Ctrl-C and SIGTERM stop it gracefully.</summary>
    public static int Run(string[] args) => GracefulStop.Run(cancel => Run(args, Console.Out, Console.Error, cancel));

    /// <summary>Runs writing to the given streams; <paramref name="cancel"/> acts as Ctrl-C.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancel)
    {
        var parsed = CommandArguments.Parse<TransferArguments>("train transfer", args, output, error, out int code, "--dataset is required");
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
            error.WriteLine($"trainer train transfer: {e.Message} (see 'trainer train transfer --help')");
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("trainer train transfer: interrupted before training began; nothing written");
            return ExitCodes.Interrupted;
        }
        catch (ToolchainException e)
        {
            error.WriteLine($"trainer train transfer: {e.Message}");
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"trainer train transfer: {e.Message}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>The options of a run: the defaults, overridden by what was given, validated.</summary>
    public static TransferOptions ResolveOptions(TransferArguments a)
    {
        if (a.Extra.FirstOrDefault() is { } word)
        {
            throw new UsageException($"unexpected argument '{word}' (options start with --)");
        }
        var dataset = CommandArguments.PathOption("--dataset", a.Dataset) ?? throw new UsageException("--dataset is required");
        if (!Directory.Exists(dataset))
        {
            throw new InvalidInputFileException(dataset, File.Exists(dataset) ? "is a file; --dataset takes an image folder" : "does not exist");
        }
        // "frozen" is a synonym of none.
        var mode = a.FineTune == "frozen" ? FineTuneMode.None : FlagValue("--fine-tune", a.FineTune, FineTuneMode.None);
        var backbone = CommandArguments.PathOption("--backbone", a.Backbone) ?? TransferOptions.BuiltInBackbone;
        var config = CommandArguments.PathOption("--backbone-config", a.BackboneConfig);
        if (backbone == TransferOptions.BuiltInBackbone && config is not null)
        {
            throw new UsageException("--backbone-config describes an ONNX --backbone file; the built-in resnet18 has its own");
        }
        var augment = a.Augment ?? "standard";
        _ = ViewAugmentation.For(augment, 0); // refuses an unknown preset now
        var o = new TransferOptions
        {
            Dataset = dataset,
            Backbone = backbone,
            BackboneConfig = config,
            FineTune = mode,
            Features = FlagValue("--features", a.Features, FeatureSet.WithStage),
            Head = a.Head,
            Augment = augment,
            Views = a.Views ?? augment switch { "light" => 1, "standard" => 3, _ => 0 },
            TestFraction = a.TestFraction,
            SplitSeed = a.SplitSeed ?? 0,
            Strict = a.Strict,
        };
        if (augment == "none" && a.Views is > 0)
        {
            throw new UsageException("--views makes augmented copies; --augment none asks for none (use --augment light or standard)");
        }
        o = o with
        {
            Epochs = a.Epochs ?? o.Epochs,
            FineTuneEpochs = a.FineTuneEpochs,
            BatchSize = a.BatchSize ?? o.BatchSize,
            FineTuneBatchSize = a.BatchSize ?? o.FineTuneBatchSize,
            LearningRate = a.Lr ?? o.LearningRate,
            BackboneLrFactor = a.BackboneLrFactor ?? o.BackboneLrFactor,
            WeightDecay = a.WeightDecay ?? o.WeightDecay,
            ValidationFraction = a.ValidationFraction ?? o.ValidationFraction,
            Patience = a.Patience ?? o.Patience,
            Seed = a.Seed ?? o.Seed,
            Threads = a.Threads ?? o.Threads,
            FeaturizeBatch = a.FeaturizeBatch ?? o.FeaturizeBatch,
        };
        o.Validate();
        return o;
    }

    /// <summary>The value an enum flag names by its exact spelling, <paramref name="absent"/> when the flag is not given; any other word is one line naming the flag.</summary>
    private static T FlagValue<T>(string flag, string? text, T absent) where T : struct, Enum => text is null
        ? absent
        : EnumText.ParseExact<T>(text) ?? throw new ToolchainException($"{flag}: unknown value '{text}' (known: {EnumText.Known<T>()})");

    private static int Execute(TransferArguments a, TextWriter output, TextWriter error, CancellationToken cancel)
    {
        var wall = Stopwatch.StartNew();
        bool pixelInput = IExportInputOption.IsPixels(a);
        var o = ResolveOptions(a);
        var outDir = Path.GetFullPath(CommandArguments.PathOption("--out", a.Out) ?? Path.Combine("artifacts", Name));
        var cacheDir = Path.GetFullPath(CommandArguments.PathOption("--cache-dir", a.CacheDir) ?? Path.Combine("artifacts", "cache"));
        var device = Training.DeviceSelector.Resolve(a.Device?.ToLowerInvariant() ?? "auto");
        OutputFolder.RequireWritable(outDir);
        torch.set_num_threads(o.Threads);
        void Say(string line)
        {
            if (!a.Quiet)
            {
                output.WriteLine(line);
            }
        }
        if (OutputFolder.RemoveStaleTemporaryFiles(outDir) is { } removed)
        {
            Say(removed);
        }
        using var backbone = TransferBackbone.Open(o.Backbone, o.BackboneConfig, o.Features);
        Say($"backbone: {backbone.Name} ({backbone.Backbone.Config.Licence}; sha256 {backbone.Digest[..12]}…), " +
            (o.FineTune == FineTuneMode.None ? "frozen" : $"fine-tuning {EnumText.Of(o.FineTune)}"));

        var view = new TrainProgressView(output, a.Quiet);
        FirstBatchClock? clock = null;
        var result = view.Run(observer => TransferTrainer.Run(o, backbone, cacheDir, new TransferHooks
        {
            Say = Say,
            FeaturizeProgress = a.Quiet ? null : CountProgress.For(output, "featurizing images"),
            Observer = clock = new FirstBatchClock(observer),
        }, cancel));
        using (result)
        {
            if (clock?.Seconds is { } startup)
            {
                Say(string.Create(CultureInfo.InvariantCulture, $"start-up: training began {startup:0.00} s after the process started"));
            }
            TransferHistory.Write(outDir, result.History, $"transfer ({backbone.Name}, {EnumText.Of(o.FineTune)}) on {Path.GetFileName(o.Dataset)}: loss per epoch");
            if (result.Interrupted)
            {
                output.WriteLine("interrupted; nothing exported (transfer runs have no checkpoint to resume: a rerun reads the cached features)");
                return ExitCodes.Interrupted;
            }
            string? onnx = null;
            double? parity = null;
            ToolchainException? exportError = null;
            if (!a.NoExport)
            {
                try
                {
                    var exported = TransferExport.Write(o, backbone, result, Path.Combine(outDir, "model.onnx"), pixelInput);
                    (onnx, parity) = (exported.Path, exported.MaxAbsDiff);
                    Say($"exported {exported.Summary}");
                }
                catch (ToolchainException e)
                {
                    exportError = e;
                }
            }
            var metrics = new TransferMetrics
            {
                Dataset = o.Dataset,
                Backbone = backbone.Name,
                BackboneSha256 = backbone.Digest,
                FineTune = EnumText.Of(o.FineTune),
                Head = result.HeadSpec.Canonical,
                HeadTrials = result.Trials,
                TrainCount = result.Counts.Train,
                ValidationCount = result.Counts.Validation,
                TestCount = result.Counts.Test,
                SkippedCount = result.Skipped.Count,
                TestAccuracy = result.Test.Accuracy,
                TestLoss = result.Test.Loss,
                FrozenTestAccuracy = result.FrozenTestAccuracy,
                FeaturesFromCache = result.Features.FromCache,
                FeatureSeconds = result.Features.Seconds,
                FeaturizeImagesPerSecond = result.Features.ImagesPerSecond,
                StartupSeconds = clock?.Seconds,
                FineTuneSamplesPerSecond = result.FineTuneSamplesPerSecond,
                WallSeconds = wall.Elapsed.TotalSeconds,
                Threads = o.Threads,
                Seed = o.Seed,
                Advice = result.FineTuneAdvice,
                Onnx = onnx,
                ExportMaxAbsDiff = parity,
            };
            metrics.Write(Path.Combine(outDir, "metrics.json"));
            if (exportError is not null)
            {
                throw new ToolchainException($"training finished but the export failed: {exportError.Message}", exportError);
            }
            if (result.FineTuneAdvice is { } advice)
            {
                error.WriteLine($"trainer train transfer: note: {advice}");
            }
            var how = o.FineTune == FineTuneMode.None ? "frozen"
                : string.Create(CultureInfo.InvariantCulture, $"fine-tuned ({EnumText.Of(o.FineTune)}; frozen head {100 * result.FrozenTestAccuracy:0.00}%)");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"transfer: test accuracy {100 * result.Test.Accuracy:0.00}% (loss {result.Test.Loss:0.0000}) on {Path.GetFileName(o.Dataset)} with {backbone.Name} {how}, " +
                $"head {result.HeadSpec.Canonical}; results in {outDir}"));
            return ExitCodes.Ok;
        }
    }
}
