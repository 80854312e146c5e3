using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.ML.OnnxRuntime;
using Toolchain.Contracts;
using Toolchain.Data.Images;
using Toolchain.Imaging;
using Toolchain.Inference.Runtime;

namespace Toolchain.Trainer.Transfer;

/// <summary>What a featurization needs besides the graph and the images.</summary>
public sealed record FeaturizeOptions
{
    /// <summary>Images per ONNX Runtime run.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>ONNX Runtime intra-op threads and parallel decoders; 0 for every core.</summary>
    public int Threads { get; init; }

    /// <summary>Extra augmented views of each training image (0 for none); <see cref="Augment"/> makes them.</summary>
    public int ExtraViews { get; init; }

    /// <summary>Makes view v (from 1) of a decoded image: (pixels C×H×W 0–255, view, image index) → new pixels.</summary>
    public Func<byte[], int, int, byte[]>? Augment { get; init; }

    /// <summary>The shorter side below which a picture is too small to upscale to the backbone's input; 1 checks nothing.</summary>
    public int MinSide { get; init; } = 1;

    /// <summary>Told (done, total) as images pass through the backbone, or null.</summary>
    public Action<int, int>? Progress { get; init; }
}

/// <summary>
/// Runs a <see cref="FeaturizerGraph"/> in ONNX Runtime over every image of a folder, once: images are decoded, resized
/// and centre-cropped by <see cref="CropResizePreprocessor"/> (the class inference uses) on parallel threads, a batch
/// ahead of the session, which runs on every core. The split follows <see cref="ImageFolderListing.SplitReadable"/>,
/// as <c>trainer train cnn</c> splits the same folder, so scratch and transfer runs test on the same images.
/// </summary>
public static class BackboneFeaturizer
{
    /// <summary>Featurizes the images of <paramref name="listing"/>; unreadable and too-small images are skipped and listed.</summary>
    public static ImageFeatures Run(FeaturizerGraph graph, ImageFolderListing listing, ImageFolderOptions folderOptions, FeaturizeOptions options,
        CancellationToken cancel)
    {
        var all = listing.Files;
        var (sizes, problems) = ImageFolderDataset.ReadHeaders(all);
        RefuseTinyPictures(listing, sizes, problems, options.MinSide, graph);
        var readable = Enumerable.Range(0, all.Count).Where(i => !problems.ContainsKey(i)).ToList();
        if (readable.Count == 0)
        {
            throw new ToolchainException($"{listing.Folder}: none of its {all.Count} images can be read (first: {all[0].Path}: {problems[0]})");
        }
        int threads = options.Threads > 0 ? options.Threads : Environment.ProcessorCount;
        var (session, _) = SessionFactory.Create(graph.Path, new OnnxModelOptions
        {
            Provider = ExecutionProvider.Cpu,
            IntraOpThreads = threads,
            // Decoding shares the cores: spinning ORT threads would take them from the decoders between runs.
            AllowSpinning = false,
        });
        using (session)
        {
            var shapes = OutputShapes(session, graph);
            var pre = new CropResizePreprocessor(3, graph.Height, graph.Width);
            int extra = options.Augment is null ? 0 : options.ExtraViews;

            // View 0 of every readable image; a file that fails to decode is skipped like an unreadable header.
            var rows = new RowSink(shapes, readable.Count);
            int done = 0, total = readable.Count;
            RunBatches(session, graph, pre, all, readable.Select((file, row) => (file, row, view: 0)).ToList(), options, threads, rows, problems,
                () => options.Progress?.Invoke(Interlocked.Increment(ref done), total), cancel);
            var good = readable.Where(i => !problems.ContainsKey(i)).ToList();
            var rowOf = readable.Select((file, row) => (file, row)).ToDictionary(p => p.file, p => p.row);
            var (trainIdx, testIdx, fraction) = listing.SplitReadable(good, folderOptions);

            // Augmented views of the training images, when asked for.
            RowSink? views = null;
            if (extra > 0)
            {
                views = new RowSink(shapes, trainIdx.Length * extra);
                var jobs = new List<(int file, int row, int view)>();
                for (int v = 1; v <= extra; v++)
                {
                    jobs.AddRange(trainIdx.Select((file, k) => (file, ((v - 1) * trainIdx.Length) + k, v)));
                }
                int viewDone = 0;
                RunBatches(session, graph, pre, all, jobs, options with { Progress = null }, threads, views, problems,
                    () => options.Progress?.Invoke(Interlocked.Increment(ref viewDone), jobs.Count), cancel);
                var broken = trainIdx.FirstOrDefault(problems.ContainsKey, -1);
                if (broken >= 0)
                {
                    throw new ToolchainException($"{all[broken].Path}: decoded once but not again ({problems[broken]})");
                }
            }

            var train = new Dictionary<string, FeatureSplit>();
            var test = new Dictionary<string, FeatureSplit>();
            foreach (var (name, shape) in shapes)
            {
                train[name] = Gather(rows, name, shape, trainIdx.Select(i => rowOf[i]).ToArray(), views, all);
                test[name] = Gather(rows, name, shape, testIdx.Select(i => rowOf[i]).ToArray(), null, all);
                rows.Release(name);
                views?.Release(name);
            }
            var skipped = problems.OrderBy(p => p.Key).Select(p => $"{all[p.Key].Path}: {p.Value}").ToList();
            FeatureSplit Labelled(FeatureSplit s, int[] idx) => s with { Labels = idx.Select(i => all[i].Label).ToArray() };
            return new ImageFeatures(listing.ClassNames,
                train.ToDictionary(p => p.Key, p => Labelled(p.Value, trainIdx)),
                test.ToDictionary(p => p.Key, p => Labelled(p.Value, testIdx)),
                skipped, fraction, folderOptions.SplitSeed, trainIdx, testIdx);
        }
    }

    /// <summary>
    /// The pictures <paramref name="indices"/> names, decoded and resized to <paramref name="height"/>×<paramref name="width"/>
    /// RGB bytes, in parallel (for fine-tuning the whole backbone, which needs the pictures themselves every epoch).
    /// </summary>
    public static byte[][] Decode(IReadOnlyList<ImageFolderFile> files, int[] indices, int height, int width)
    {
        var pre = new CropResizePreprocessor(3, height, width);
        var result = new byte[indices.Length][];
        Parallel.For(0, indices.Length, k => result[k] = pre.ToBytes(files[indices[k]].Path));
        return result;
    }

    /// <summary>
    /// Skips pictures whose shorter side is under <paramref name="minSide"/>: upscaled to the backbone's input they are
    /// blur, and a folder of them is refused in one line rather than trained on.
    /// </summary>
    private static void RefuseTinyPictures(ImageFolderListing listing, (int W, int H)[] sizes, ConcurrentDictionary<int, string> problems,
        int minSide, FeaturizerGraph graph)
    {
        var tiny = Enumerable.Range(0, sizes.Length).Where(i => !problems.ContainsKey(i) && Math.Min(sizes[i].W, sizes[i].H) < minSide).ToList();
        if (tiny.Count == 0)
        {
            return;
        }
        var why = string.Create(CultureInfo.InvariantCulture,
            $"shorter side under {minSide} px (1/{graph.Height / minSide} of the backbone's {graph.Height}×{graph.Width} input)");
        int usable = sizes.Length - problems.Count - tiny.Count;
        if (usable < sizes.Length / 2.0)
        {
            var first = tiny[0];
            throw new ToolchainException(string.Create(CultureInfo.InvariantCulture,
                $"{listing.Folder}: {tiny.Count} of its {sizes.Length} images are too small for the backbone ({why}; e.g. {listing.Files[first].Path} is " +
                $"{sizes[first].W}×{sizes[first].H}): upscaled that far they are blur; use larger pictures, or train from scratch with 'trainer train cnn'"));
        }
        foreach (var i in tiny)
        {
            problems[i] = string.Create(CultureInfo.InvariantCulture, $"{sizes[i].W}×{sizes[i].H} is too small ({why})");
        }
    }

    private static Dictionary<string, long[]> OutputShapes(InferenceSession session, FeaturizerGraph graph)
    {
        if (!session.InputMetadata.TryGetValue(graph.InputName, out var input))
        {
            throw new ToolchainException($"{graph.Path}: has no input '{graph.InputName}'");
        }
        if (input.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.UInt8)
        {
            throw new ToolchainException($"{graph.Path}: input '{graph.InputName}' takes {input.ElementDataType}, not uint8 pixels");
        }
        var shapes = new Dictionary<string, long[]>();
        foreach (var name in graph.Outputs)
        {
            if (!session.OutputMetadata.TryGetValue(name, out var meta))
            {
                throw new ToolchainException($"{graph.Path}: has no output '{name}'");
            }
            var dims = meta.Dimensions.Skip(1).Select(d => (long)d).ToArray();
            if (dims.Any(d => d < 1))
            {
                throw new ToolchainException($"{graph.Path}: output '{name}' has an unknown size [{string.Join(',', meta.Dimensions)}] beyond the batch axis");
            }
            shapes[name] = dims;
        }
        return shapes;
    }

    /// <summary>Rows of every output for a list of jobs, filled in any order.</summary>
    private sealed class RowSink(Dictionary<string, long[]> shapes, int rows)
    {
        private readonly Dictionary<string, Half[]?> _values = shapes.ToDictionary(p => p.Key,
            p => (Half[]?)new Half[checked(rows * p.Value.Aggregate(1L, (a, b) => a * b))]);

        public Half[] this[string name] => _values[name] ?? throw new InvalidOperationException($"{name} released");

        public void Release(string name) => _values[name] = null;
    }

    private static FeatureSplit Gather(RowSink rows, string name, long[] shape, int[] rowIndex, RowSink? views, IReadOnlyList<ImageFolderFile> all)
    {
        int width = (int)shape.Aggregate(1L, (a, b) => a * b);
        int extra = views is null ? 0 : views[name].Length / Math.Max(1, rowIndex.Length * width);
        var values = new Half[checked((long)(1 + extra) * rowIndex.Length * width)];
        var source = rows[name];
        for (int k = 0; k < rowIndex.Length; k++)
        {
            Array.Copy(source, (long)rowIndex[k] * width, values, (long)k * width, width);
        }
        if (views is not null && extra > 0)
        {
            Array.Copy(views[name], 0, values, (long)rowIndex.Length * width, (long)extra * rowIndex.Length * width);
        }
        return new FeatureSplit([], values, shape, 1 + extra);
    }

    private sealed record Batch(List<(int File, int Row, int View)> Jobs, byte[] Pixels, bool[] Failed);

    private static void RunBatches(InferenceSession session, FeaturizerGraph graph, CropResizePreprocessor pre, IReadOnlyList<ImageFolderFile> files,
        List<(int File, int Row, int View)> jobs, FeaturizeOptions options, int threads, RowSink sink, ConcurrentDictionary<int, string> problems,
        Action tick, CancellationToken cancel)
    {
        if (jobs.Count == 0)
        {
            return;
        }
        int batchSize = Math.Max(1, options.BatchSize), length = pre.OutputLength;
        // One batch decoded ahead of the one in the session: decoding and the backbone overlap.
        var ready = Channel.CreateBounded<Batch>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(async () =>
        {
            try
            {
                for (int start = 0; start < jobs.Count; start += batchSize)
                {
                    var part = jobs.GetRange(start, Math.Min(batchSize, jobs.Count - start));
                    var pixels = new byte[(long)part.Count * length];
                    var failed = new bool[part.Count];
                    Parallel.For(0, part.Count, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancel }, k =>
                    {
                        var (file, _, view) = part[k];
                        if (problems.ContainsKey(file))
                        {
                            failed[k] = true;
                            return;
                        }
                        try
                        {
                            var bytes = pre.ToBytes(files[file].Path);
                            if (view > 0)
                            {
                                bytes = options.Augment!(bytes, view, file);
                            }
                            bytes.CopyTo(pixels, (long)k * length);
                        }
                        catch (InvalidInputFileException e)
                        {
                            problems[file] = e.Problem;
                            failed[k] = true;
                        }
                    });
                    await ready.Writer.WriteAsync(new Batch(part, pixels, failed), cancel).ConfigureAwait(false);
                }
                ready.Writer.Complete();
            }
            catch (Exception e)
            {
                ready.Writer.Complete(e);
            }
        }, cancel);
        using var runOptions = new RunOptions();
        using var registration = cancel.UnsafeRegister(static s => ((RunOptions)s!).Terminate = true, runOptions);
        try
        {
            while (ready.Reader.WaitToReadAsync(cancel).AsTask().GetAwaiter().GetResult())
            {
                while (ready.Reader.TryRead(out var batch))
                {
                    RunOne(session, graph, batch, length, sink, runOptions, cancel);
                    for (int k = 0; k < batch.Jobs.Count; k++)
                    {
                        tick();
                    }
                }
            }
        }
        finally
        {
            try
            {
                producer.GetAwaiter().GetResult();
            }
            catch (Exception) when (cancel.IsCancellationRequested)
            {
                // The cancellation below is what the caller sees.
            }
        }
        cancel.ThrowIfCancellationRequested();
    }

    private static void RunOne(InferenceSession session, FeaturizerGraph graph, Batch batch, int length, RowSink sink, RunOptions runOptions,
        CancellationToken cancel)
    {
        int n = batch.Jobs.Count;
        using var input = OrtValue.CreateTensorValueFromMemory(batch.Pixels, [n, 3, graph.Height, graph.Width]);
        try
        {
            using var outputs = session.Run(runOptions, [graph.InputName], [input], graph.Outputs.ToArray());
            for (int o = 0; o < graph.Outputs.Count; o++)
            {
                var values = outputs[o].GetTensorDataAsSpan<float>();
                var target = sink[graph.Outputs[o]];
                int width = values.Length / n;
                if (width * n != values.Length || target.Length % width != 0)
                {
                    throw new ToolchainException($"{graph.Path}: output '{graph.Outputs[o]}' gave {values.Length} values for {n} images, not the size its shape says");
                }
                for (int k = 0; k < n; k++)
                {
                    if (!batch.Failed[k])
                    {
                        var from = values.Slice(k * width, width);
                        var to = target.AsSpan(batch.Jobs[k].Row * width, width);
                        for (int v = 0; v < width; v++)
                        {
                            to[v] = (Half)from[v];
                        }
                    }
                }
            }
        }
        catch (OnnxRuntimeException e) when (cancel.IsCancellationRequested)
        {
            throw new OperationCanceledException("featurization was cancelled", e, cancel);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ToolchainException($"{graph.Path}: ONNX Runtime failed to run the backbone: {OrtErrorText.FirstLine(e)}", e);
        }
    }
}
