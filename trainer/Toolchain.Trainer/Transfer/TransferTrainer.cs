using System.Diagnostics;
using System.Globalization;
using Toolchain.Contracts;
using Toolchain.Data;
using Toolchain.Data.Images;
using Toolchain.Trainer.Models;
using Toolchain.Trainer.Training;
using TorchSharp;
using static TorchSharp.torch;
using Sequential = TorchSharp.Modules.Sequential;

namespace Toolchain.Trainer.Transfer;

/// <summary>What a transfer run reports while it works.</summary>
public sealed record TransferHooks
{
    /// <summary>Lines for the user.</summary>
    public Action<string> Say { get; init; } = _ => { };

    /// <summary>Told (done, total) as images pass through the backbone.</summary>
    public Action<int, int>? FeaturizeProgress { get; init; }

    /// <summary>Epoch and batch progress of the training phases.</summary>
    public ITrainingObserver Observer { get; init; } = new NoObserver();

    private sealed class NoObserver : ITrainingObserver;
}

/// <summary>How the features were obtained.</summary>
/// <param name="FromCache">Whether they came from the cache (no image was decoded or run through the backbone).</param>
/// <param name="Path">The cache entry.</param>
/// <param name="Seconds">Time to read or compute them.</param>
/// <param name="ImagesPerSecond">Images through the backbone per second when computed, else null.</param>
public sealed record FeatureSource(bool FromCache, string Path, double Seconds, double? ImagesPerSecond);

/// <summary>A head candidate trained on the frozen features, with what it reached on validation.</summary>
public sealed record HeadTrial(string Spec, double ValidationAccuracy, double ValidationLoss, double TrainAccuracy, int BestEpoch);

/// <summary>A finished transfer run: the trained parts and every figure the report, card and metrics need.</summary>
public sealed class TransferResult : IDisposable
{
    /// <summary>The head's spec.</summary>
    public required ArchitectureSpec HeadSpec { get; init; }

    /// <summary>The trained head (eval mode, CPU).</summary>
    public required Sequential Head { get; init; }

    /// <summary>The fine-tuned part of the backbone, or null when frozen.</summary>
    public nn.Module<Tensor, Tensor>? Trainable { get; init; }

    /// <summary>The class names.</summary>
    public required IReadOnlyList<string> ClassNames { get; init; }

    /// <summary>Where the features came from.</summary>
    public required FeatureSource Features { get; init; }

    /// <summary>Every head candidate tried.</summary>
    public required IReadOnlyList<HeadTrial> Trials { get; init; }

    /// <summary>Every epoch of every phase of the kept model, in order.</summary>
    public required IReadOnlyList<TransferEpoch> History { get; init; }

    /// <summary>Training, validation and test images.</summary>
    public required (int Train, int Validation, int Test) Counts { get; init; }

    /// <summary>Images skipped.</summary>
    public required IReadOnlyList<string> Skipped { get; init; }

    /// <summary>The split's test fraction, or null for the folder's own split.</summary>
    public double? TestFraction { get; init; }

    /// <summary>The frozen head's test accuracy (before any fine-tuning).</summary>
    public required double FrozenTestAccuracy { get; init; }

    /// <summary>The final test accuracy and loss.</summary>
    public required (double Loss, double Accuracy) Test { get; init; }

    /// <summary>Fine-tuning samples per second (mean over its epochs), or null when frozen.</summary>
    public double? FineTuneSamplesPerSecond { get; init; }

    /// <summary>A line saying that fine-tuning is likely to help, when the frozen head validates poorly; else null.</summary>
    public string? FineTuneAdvice { get; init; }

    /// <summary>A few test pictures (paths), for the export to verify the composed graph on real images.</summary>
    public IReadOnlyList<string> SampleFiles { get; init; } = [];

    /// <summary>Whether Ctrl-C stopped training (the parts are then as far as they got).</summary>
    public bool Interrupted { get; init; }

    /// <inheritdoc />
    public void Dispose()
    {
        Head.Dispose();
        Trainable?.Dispose();
    }
}

/// <summary>
/// Transfer learning on an image folder: the backbone's features are computed once in ONNX Runtime and cached; a head
/// trains on them (the default chooses between a linear and a one-hidden-layer head on a validation split); with
/// fine-tuning, the head's training is followed by epochs in which the last stage (on cached activations) or the whole
/// backbone trains with it at a lower learning rate, as fastai's <c>fine_tune</c> does.
/// </summary>
/// <remarks>
/// It shares with <see cref="TrainingSession"/> the image folder's listing and split, the architecture spec and
/// <c>ModelBuilder</c> (the head), the progress contract (<see cref="ITrainingObserver"/>, <see cref="EpochRecord"/>,
/// the CLI's progress view and first-batch clock), the convolution-gradient check, the loss chart and the exporter's
/// verify-and-write. Its loop is its own: it trains on cached features or activations (not decoded tensors), chooses
/// between head candidates on validation and retrains the kept one, then runs a second phase with two parameter groups
/// over a different batch source; a cache, not a checkpoint, makes a rerun cheap.
/// </remarks>
public static class TransferTrainer
{
    /// <summary>A frozen head whose validation accuracy is below this is "poor": fine-tuning is suggested.</summary>
    public const double PoorValidationAccuracy = 0.80;

    /// <summary>Or whose validation accuracy trails its training accuracy by more than this.</summary>
    public const double PoorGeneralisationGap = 0.15;

    /// <summary>Trains as <paramref name="o"/> says; <paramref name="cacheDirectory"/> keeps the features.</summary>
    public static TransferResult Run(TransferOptions o, TransferBackbone backbone, string cacheDirectory, TransferHooks hooks, CancellationToken cancel)
    {
        var folderOptions = new ImageFolderOptions
        {
            Channels = 3,
            ImageSize = string.Create(CultureInfo.InvariantCulture, $"{backbone.Height}x{backbone.Width}"),
            TestFraction = o.TestFraction,
            SplitSeed = o.SplitSeed,
            Strict = o.Strict,
        };
        var listing = ImageFolderDataset.Scan(o.Dataset, folderOptions, hooks.Say);
        var (features, source) = Features(o, backbone, listing, folderOptions, cacheDirectory, hooks, cancel);
        if (features.Skipped.Count > 0)
        {
            var line = $"skipped {features.Skipped.Count} image{(features.Skipped.Count == 1 ? "" : "s")}: {string.Join("; ", features.Skipped.Take(5))}{(features.Skipped.Count > 5 ? "; ..." : "")}";
            hooks.Say(o.Strict ? throw new ToolchainException($"{line} (--strict)") : line);
        }
        int classes = features.ClassNames.Count;
        var samples = features.TestFiles.Take(4).Select(i => listing.Files[i].Path).ToList();
        var trainFeatures = features.Train[backbone.FeaturesOutput];
        var testFeatures = features.Test[backbone.FeaturesOutput];
        long width = trainFeatures.Width;
        var candidates = (o.Head is { } given ? [given] : HeadSpec.DefaultCandidates(classes)).Select(t => HeadSpec.Parse(t, width, classes)).ToList();

        // Validation: a stratified share of the training images, to choose the head and its epochs.
        var (fit, validation) = StratifiedSplit.Split(trainFeatures.Labels, o.ValidationFraction, unchecked((int)o.Seed));
        var device = CPU;
        using var data = HeadDataFor(trainFeatures, testFeatures, fit, validation, candidates, device);
        hooks.Say(string.Create(CultureInfo.InvariantCulture,
            $"data: {trainFeatures.Count:N0} train ({validation.Length:N0} of them held out to choose the head: {100 * o.ValidationFraction:0.#}%, stratified), " +
            $"{testFeatures.Count:N0} test; {classes} classes; {width} features per image{(trainFeatures.Views > 1 ? $", {trainFeatures.Views} views of each training image" : "")}"));

        // Phase 1: the head on the frozen features.
        var head = HeadTrainer.Train(o, candidates, data, hooks, cancel);
        var history = new List<TransferEpoch>(head.History);
        var counts = (trainFeatures.Count - validation.Length, validation.Length, testFeatures.Count);
        // What a frozen run and a fine-tuned one report alike; fine-tuning adds its part and its rate.
        TransferResult Result((double Loss, double Accuracy) test, bool interrupted, nn.Module<Tensor, Tensor>? trainable = null,
            double? fineTuneRate = null, string? advice = null) => new()
            {
                HeadSpec = head.Spec,
                Head = head.Head,
                Trainable = trainable,
                ClassNames = features.ClassNames,
                Features = source,
                Trials = head.Trials,
                History = history,
                Counts = counts,
                Skipped = features.Skipped,
                TestFraction = features.TestFraction,
                FrozenTestAccuracy = head.Test.Accuracy,
                Test = test,
                FineTuneAdvice = advice,
                Interrupted = interrupted,
                SampleFiles = samples,
                FineTuneSamplesPerSecond = fineTuneRate,
            };
        if (o.FineTune == FineTuneMode.None || head.Interrupted)
        {
            data.Scaling?.FoldInto(head.Head);
            return Result(head.Test, head.Interrupted, advice: o.FineTune == FineTuneMode.None ? Advice(head.Selection) : null);
        }

        int fineEpochs = o.FineTuneEpochsFor(trainFeatures.Count);
        // Phase 2: the unfrozen part with the head, on every training image, at a lower rate for the backbone, warm-up then cosine.
        hooks.Say(string.Create(CultureInfo.InvariantCulture,
            $"frozen head: test accuracy {100 * head.Test.Accuracy:0.00}%; fine-tuning {(o.FineTune == FineTuneMode.All ? "all stages" : "the last stage")} " +
            $"for {fineEpochs} epoch{(fineEpochs == 1 ? "" : "s")} (backbone lr {o.LearningRate * o.BackboneLrFactor:G3}, head lr {o.LearningRate:G3})"));
        var headModel = head.Head;
        var trainable = backbone.Trainable(o.FineTune);
        // This CPU's oneDNN can leave convolution input gradients unwritten (ConvolutionGradients): probed on the
        // trainable part's own convolutions, and libtorch's native ones used when it does.
        if (ConvolutionGradients.Verify(backbone.Graph.ConvolutionsNeedingInputGradients()) is { } note)
        {
            hooks.Say(note);
        }
        var model = data.Scaling is { } scaling
            ? nn.Sequential(("backbone", trainable), ("scaling", scaling), ("head", headModel))
            : nn.Sequential(("backbone", trainable), ("head", headModel));
        var (fineTrain, fineTest) = FineTuneSources(o, backbone, listing, features, device, hooks);
        var groups = new List<TorchSharp.Modules.Adam.ParamGroup>
        {
            new(trainable.parameters().Where(p => p.requires_grad), new TorchSharp.Modules.Adam.Options { LearningRate = o.LearningRate * o.BackboneLrFactor, weight_decay = o.WeightDecay }),
            new(headModel.parameters(), new TorchSharp.Modules.Adam.Options { LearningRate = o.LearningRate, weight_decay = o.WeightDecay }),
        };
        using var fineOptimizer = optim.Adam(groups, o.LearningRate);
        var fineSettings = new FitSettings("fine-tune", fineEpochs, o.FineTuneBatchSize, 0, WarmupCosine);
        // Frozen BatchNorm layers of the graph stay in eval mode whatever this says (ImportedGraph.SetTuning).
        void SetTraining(bool on) => model.train(on);
        var none = (empty([0, 1]), empty([0], dtype: int64));
        var fine = FitLoop.Fit(model, SetTraining, fineOptimizer, [o.LearningRate * o.BackboneLrFactor, o.LearningRate], fineTrain, none,
            fineTest, fineSettings, o.Seed + 1, history[^1].Record.Epoch + 1, hooks.Observer, cancel);
        SetTraining(false);
        history.AddRange(fine.Epochs);
        var test = FitLoop.Evaluate(model, fineTest);
        data.Scaling?.FoldInto(headModel);
        (fineTrain as IDisposable)?.Dispose();
        foreach (var t in new[] { fineTest.X, fineTest.Y, none.Item1, none.Item2 })
        {
            t.Dispose();
        }
        var trained = fine.Epochs.Where(e => e.Record.Seconds > 0).ToList();
        return Result(test, fine.Interrupted, trainable,
            trained.Count == 0 ? null : trained.Sum(e => e.Record.Seconds * e.Record.SamplesPerSecond) / trained.Sum(e => e.Record.Seconds));
    }

    /// <summary>
    /// The head's features on the device, standardised (statistics of every training image and view) when every
    /// candidate starts with a linear layer that can take the scaling folded in.
    /// </summary>
    private static HeadData HeadDataFor(FeatureSplit train, FeatureSplit test, int[] fit, int[] validation, IReadOnlyList<ArchitectureSpec> candidates, Device device)
    {
        var all = CachedRows.From(train, device, flat: true);
        var data = new HeadData(all, CachedRows.From(train, device, fit, flat: true), CachedRows.From(train, device, validation, views: 1, flat: true),
            CachedRows.From(test, device, flat: true), candidates.All(FeatureScaling.CanFold) ? FeatureScaling.Of(all.X) : null);
        if (data.Scaling is { } scaling)
        {
            foreach (var rows in new[] { data.All, data.Fit, data.Validation, data.Test })
            {
                scaling.Apply(rows.X);
            }
        }
        return data;
    }

    /// <summary>
    /// What fine-tuning trains on (every training image) and is tested on: for the last stage, the cached activations
    /// where it starts (with their augmented views); for the whole backbone, the pictures, decoded once and augmented
    /// afresh every batch.
    /// </summary>
    private static (IBatchSource Train, (Tensor X, Tensor Y) Test) FineTuneSources(TransferOptions o, TransferBackbone backbone,
        ImageFolderListing listing, ImageFeatures features, Device device, TransferHooks hooks)
    {
        if (o.FineTune == FineTuneMode.Last)
        {
            var train = CachedRows.From(features.Train[backbone.StageOutput], device);
            using var test = CachedRows.From(features.Test[backbone.StageOutput], device);
            return (train, Keep(test.Plain()));
        }
        var clock = Stopwatch.StartNew();
        var trainPixels = BackboneFeaturizer.Decode(listing.Files, features.TrainFiles, backbone.Height, backbone.Width);
        var testPixels = BackboneFeaturizer.Decode(listing.Files, features.TestFiles, backbone.Height, backbone.Width);
        hooks.Say(string.Create(CultureInfo.InvariantCulture,
            $"pictures: {trainPixels.Length + testPixels.Length:N0} decoded for fine-tuning every stage in {clock.Elapsed.TotalSeconds:0.0} s (augmented afresh each batch: {o.Augment})"));
        long[] shape = [3, backbone.Height, backbone.Width];
        return (new PixelRows(trainPixels, features.Train[backbone.FeaturesOutput].Labels, shape, ViewAugmentation.For(o.Augment, o.Seed)),
            new PixelRows(testPixels, features.Test[backbone.FeaturesOutput].Labels, shape, null).Plain());
    }

    /// <summary>Copies of a split's tensors that outlive the rows they came from.</summary>
    private static (Tensor X, Tensor Y) Keep((Tensor X, Tensor Y) split) => (split.X.clone(), split.Y.clone());

    /// <summary>A linear warm-up over the first 5% of steps (at least one), then half a cosine to zero.</summary>
    public static double WarmupCosine(long step, long total)
    {
        long warm = Math.Max(1, total / 20);
        return step < warm
            ? (step + 1.0) / warm
            : 0.5 * (1 + Math.Cos(Math.PI * (step - warm + 0.5) / Math.Max(1, total - warm)));
    }

    /// <summary>The advice to fine-tune when the frozen head validates poorly (see <see cref="PoorValidationAccuracy"/>), else null.</summary>
    public static string? Advice(TransferEpoch best)
    {
        double val = best.ValidationAccuracy, train = best.Record.TrainAccuracy;
        if (val >= PoorValidationAccuracy && train - val <= PoorGeneralisationGap)
        {
            return null;
        }
        var why = val < PoorValidationAccuracy
            ? string.Create(CultureInfo.InvariantCulture, $"the frozen features validate at only {100 * val:0.0}% (under {100 * PoorValidationAccuracy:0}%)")
            : string.Create(CultureInfo.InvariantCulture, $"the frozen head validates at {100 * val:0.0}% against {100 * train:0.0}% on its training images");
        return $"{why}: these pictures differ from what the backbone learnt on, and fine-tuning is likely to help (--fine-tune last)";
    }

    private static (ImageFeatures Features, FeatureSource Source) Features(TransferOptions o, TransferBackbone backbone, ImageFolderListing listing,
        ImageFolderOptions folderOptions, string cacheDirectory, TransferHooks hooks, CancellationToken cancel)
    {
        bool stage = o.FineTune == FineTuneMode.Last;
        int views = o.FineTune == FineTuneMode.All ? 0 : o.Views;
        var outputs = stage ? new[] { backbone.FeaturesOutput, backbone.StageOutput } : [backbone.FeaturesOutput];
        string KeyFor(int v, string preset) => FeatureCache.KeyOf([listing.Key, backbone.Digest, backbone.ConfigKey,
            v == 0 ? "views 0" : string.Create(CultureInfo.InvariantCulture, $"views {v} {preset} seed {o.Seed}")]);
        var key = KeyFor(views, o.Augment);
        var clock = Stopwatch.StartNew();
        // This run's entry, else one that holds more views of the same pictures (a fine-tuning run's, for a frozen
        // run): its first views are what this run would compute.
        var candidates = new[] { key }.Concat(Enumerable.Range(views + 1, 16 - views)
            .SelectMany(v => (views == 0 ? ViewAugmentation.Presets.Skip(1) : [o.Augment]).Select(p => KeyFor(v, p))));
        foreach (var candidate in candidates.Where(c => FeatureCache.Has(cacheDirectory, c, outputs)))
        {
            if (FeatureCache.TryRead(cacheDirectory, candidate, outputs) is { } cached)
            {
                hooks.Say(string.Create(CultureInfo.InvariantCulture,
                    $"features: {cached.TrainCount + cached.TestCount:N0} images' {backbone.Name} features read from the cache in {clock.Elapsed.TotalSeconds:0.00} s " +
                    $"({FeatureCache.PathOf(cacheDirectory, candidate, backbone.FeaturesOutput)})"));
                return (cached.WithViews(1 + views), new FeatureSource(true, FeatureCache.PathOf(cacheDirectory, candidate, backbone.FeaturesOutput), clock.Elapsed.TotalSeconds, null));
            }
        }
        var graph = backbone.Featurizer(cacheDirectory, stage);
        var options = new FeaturizeOptions
        {
            BatchSize = o.FeaturizeBatch,
            Threads = o.Threads,
            ExtraViews = views,
            Augment = views > 0 ? ViewAugmentation.For(o.Augment, o.Seed) : null,
            MinSide = MinSide(backbone),
            Progress = hooks.FeaturizeProgress,
        };
        var features = BackboneFeaturizer.Run(graph, listing, folderOptions, options, cancel);
        double seconds = clock.Elapsed.TotalSeconds;
        int images = features.TrainCount * (1 + views) + features.TestCount;
        double rate = images / Math.Max(seconds, 1e-9);
        var problem = FeatureCache.TryWrite(cacheDirectory, key, features);
        var path = FeatureCache.PathOf(cacheDirectory, key, backbone.FeaturesOutput);
        var where = problem is null ? $"cached in {path}" : $"not cached: {problem}";
        hooks.Say(string.Create(CultureInfo.InvariantCulture,
            $"features: {images:N0} images through {backbone.Name} in {seconds:0.0} s ({rate:0.0} images/s, batch {o.FeaturizeBatch}, {o.Threads} threads); {where}"));
        return (features, new FeatureSource(false, path, seconds, rate));
    }

    /// <summary>
    /// The shorter side under which a picture is refused: 1/8 of the backbone's input (28 px for 224). Upscaling is
    /// normal in transfer learning (32-px CIFAR pictures to 224 work); a 16-px icon at 224 is a few blurred blocks.
    /// </summary>
    public static int MinSide(TransferBackbone backbone) => Math.Max(1, Math.Min(backbone.Height, backbone.Width) / 8);
}
