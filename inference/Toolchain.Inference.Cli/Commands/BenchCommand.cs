using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using CommandLine;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Toolchain.Cli;
using Toolchain.Cli.Output;
using Toolchain.Contracts;
using Toolchain.Data;
using Toolchain.Data.Images;
using Toolchain.Imaging;
using Toolchain.Inference.Cli.Benchmarking;
using Toolchain.Inference.Cli.Evaluation;
using Toolchain.Inference.Cli.Output;
using Toolchain.Inference.Hosting;
using Toolchain.Inference.Imaging;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Cli.Commands;

[Verb("bench", HelpText = "Measure throughput and latency per batch size, single-image classify from PNG bytes, and whole-process classify time.")]
internal sealed class BenchOptions : ModelOptions, IDataRootOption
{
    [Option("batch-sizes", Separator = ',', Default = new[] { 1, 64, 1000 }, HelpText = "Comma-separated batch sizes.")]
    public IEnumerable<int> BatchSizes { get; set; } = [1, 64, 1000];

    [Option("seconds", Default = 3.0, HelpText = "Seconds to measure each case.")]
    public double Seconds { get; set; }

    [Option("process-runs", Default = 5, HelpText = "Times to run 'infer classify one.png' as a new process (0 skips it).")]
    public int ProcessRuns { get; set; }

    [Option("concurrency", Default = 64, HelpText = "Concurrent single-image callers, timed unbatched and through the batcher with the service's default threads (0 skips it).")]
    public int Concurrency { get; set; }

    /// <inheritdoc />
    public string? DataRoot { get; set; }

    [Option("out", HelpText = "Folder to write infer-bench.json and infer-bench.md to.")]
    public string? Out { get; set; }

    [Option("compare", HelpText = "A second model taking the same input (e.g. its INT8 or float16 version), timed against --model in the same process in interleaved rounds.")]
    public string? Compare { get; set; }

    [Option("rounds", Default = 5, HelpText = "With --compare: interleaved rounds per batch size (--seconds is split among them).")]
    public int Rounds { get; set; }
}

/// <summary>Benchmarks a model and compares it with the recorded PyTorch figures.</summary>
internal static class BenchCommand
{
    public static int Run(BenchOptions o, CliConsole console)
    {
        var batchSizes = o.BatchSizes.ToArray();
        if (batchSizes.Length == 0 || batchSizes.Any(b => b < 1))
        {
            throw new ToolchainException("--batch-sizes needs one or more positive sizes, e.g. 1,64,1000");
        }
        if (!(o.Seconds > 0) || o.Seconds > 600)
        {
            throw new ToolchainException($"--seconds must be in (0, 600], not {o.Seconds.ToString(CultureInfo.InvariantCulture)}");
        }
        if (o.ProcessRuns < 0)
        {
            throw new ToolchainException($"--process-runs must be 0 or more, not {o.ProcessRuns}");
        }
        if (o.Concurrency is < 0 or > 4096)
        {
            throw new ToolchainException($"--concurrency must be in [0, 4096], not {o.Concurrency}");
        }
        // A bad --out fails now, not after minutes of measuring; a run that fails leaves no empty folder.
        using var created = o.Out is null ? null : OutputFolder.Create(o.Out, $"--out {o.Out}");
        var loadAtStart = MachineLoad.OneMinute();
        using var model = ModelLoader.Load(o, console);
        var info = model.Info;
        var (examples, firstImage, source) = Examples(model, o, console);
        if (o.Compare is not null)
        {
            return CompareBench.Run(o, model, examples, source, batchSizes, loadAtStart, console);
        }
        var bench = new ModelBenchmark(model, examples, o.Seconds);

        var rows = new List<BatchTiming>();
        foreach (var b in batchSizes)
        {
            rows.Add(bench.Batch(b));
        }
        LatencyStats? png = null;
        ProcessTiming? process = null;
        if (info.InputShape.Count == 4 && firstImage is not null)
        {
            var encoded = EncodePng(firstImage, (int)info.InputShape[2], (int)info.InputShape[3]);
            var mode = info.PreprocessingMode is PreprocessingMode.None ? PreprocessingMode.Digit : info.PreprocessingMode;
            png = bench.EncodedImage(encoded, new DigitPreprocessor(mode, info.Mean, info.Std));
            if (o.ProcessRuns > 0)
            {
                process = WholeProcess(o, encoded, console);
            }
        }

        var concurrency = o.Concurrency > 0 ? Concurrency(o, examples, info.FeatureCount, console) : [];

        var report = new BenchReport(o.Model, model.ActiveProvider, o.Threads, source, rows, png, process, loadAtStart, concurrency);
        console.Write(report.Table());
        foreach (var line in report.Verdicts().Concat(report.Notes()))
        {
            console.Out.WriteLine(line);
        }
        if (o.Out is not null)
        {
            AtomicFile.WriteAllText(Path.Combine(o.Out, "infer-bench.json"), report.ToJson() + "\n");
            AtomicFile.WriteAllText(Path.Combine(o.Out, "infer-bench.md"), report.ToMarkdown());
            console.Out.WriteLine($"wrote infer-bench.json, infer-bench.md in {o.Out}");
        }
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Times <c>--concurrency</c> callers without and with batching, each on a session of its own with the threads an
    /// <see cref="OnnxClassifier"/> would give it, so the comparison is the one a service makes.
    /// </summary>
    private static IReadOnlyList<ConcurrencyTiming> Concurrency(BenchOptions o, float[] examples, int width, CliConsole console)
    {
        var bench = new ConcurrencyBenchmark(examples, width, o.Concurrency, o.Seconds);
        var results = new List<ConcurrencyTiming>();
        var unbatched = new OnnxClassifierOptions { ModelPath = o.Model };
        unbatched.Batching.Enabled = false;
        var threads = unbatched.ThreadsFor(Environment.ProcessorCount);
        using (var session = ModelLoader.Load(o.Model, o.Provider, threads, console, o.ForeignInput(), verify: !o.NoVerify))
        {
            results.Add(bench.Unbatched(session, threads));
        }
        // The service's classifier with its batching defaults; spinning on, as in the unbatched session, so that only
        // batching differs.
        var batched = new OnnxClassifierOptions
        {
            ModelPath = o.Model,
            Provider = o.Provider,
            AllowSpinning = true,
            VerifyIntegrity = !o.NoVerify,
            ForeignInput = o.ForeignInput(),
            Reload = { Enabled = false },
        };
        results.Add(bench.BatchedAsync(batched).GetAwaiter().GetResult());
        return results;
    }

    /// <summary>Model-ready examples: the card's test split when it can be loaded, else seeded random ones.</summary>
    private static (float[] Examples, byte[]? FirstImage, string Source) Examples(OnnxModel model, BenchOptions o, CliConsole console)
    {
        var info = model.Info;
        var width = info.FeatureCount;
        var normalizer = Normalizer(info);
        if (normalizer is not null && !info.IsForeign && info.Card.DatasetName is { Length: > 0 } name)
        {
            try
            {
                var test = (ImageFolderDataset.IsImageFolder(name)
                    ? EvalCommand.LoadImageFolder(info, name, console)
                    : DatasetResolver.Load(name, IDataRootOption.FolderOf(o), console.Notice)).Test;
                if (test.ImageSize == width && test.Count > 0)
                {
                    var count = Math.Min(test.Count, 10_000);
                    var examples = new float[count * width];
                    new ModelReadyImages(info, test).Write(0, count, examples);
                    return (examples, test.Image(0).ToArray(), $"{name} test split ({count} images)");
                }
            }
            catch (ToolchainException e)
            {
                console.Notice($"{e.Message}; timing random inputs instead");
            }
        }
        var random = new Random(0);
        var n = 1000;
        var data = new float[n * width];
        if (normalizer is not null)
        {
            var pixels = new byte[n * width];
            random.NextBytes(pixels);
            normalizer.Normalize(pixels, data);
            return (data, pixels[..width], "random pixels");
        }
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (float)random.NextDouble();
        }
        return (data, null, "random features");
    }

    /// <summary>
    /// What turns the bench's 8-bit pixels into model input: the model's own image preprocessing, or null for a model
    /// that takes no images the library can prepare (it is timed on random features).
    /// </summary>
    private static IImagePreprocessor? Normalizer(ModelInfo info)
    {
        try
        {
            return info.InputShape.Count == 4 ? ImageClassifier.PreprocessorFor(info) : null;
        }
        catch (ToolchainException)
        {
            return null;
        }
    }

    private static byte[] EncodePng(byte[] pixels, int rows, int cols)
    {
        using var image = Image.LoadPixelData<L8>(pixels, cols, rows);
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }

    /// <summary>Runs <c>infer classify --model M one.png</c> as fresh processes and times them end to end.</summary>
    private static ProcessTiming? WholeProcess(BenchOptions o, byte[] png, CliConsole console)
    {
        var host = Environment.ProcessPath;
        var entry = Assembly.GetEntryAssembly();
        if (host is null || entry?.GetName().Name != "infer")
        {
            console.Notice("whole-process timing skipped: not running as the infer program");
            return null;
        }
        var prefix = Path.GetFileNameWithoutExtension(host) == "dotnet" ? new[] { entry.Location } : [];
        var file = Path.Combine(Path.GetTempPath(), $"infer-bench-{Environment.ProcessId}.png");
        File.WriteAllBytes(file, png);
        try
        {
            var seconds = new List<double>();
            for (var i = 0; i < o.ProcessRuns + 1; i++)
            {
                var start = new ProcessStartInfo(host)
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                foreach (var a in prefix.Concat(["classify", "--model", Path.GetFullPath(o.Model), file]))
                {
                    start.ArgumentList.Add(a);
                }
                var t0 = Stopwatch.GetTimestamp();
                using var p = Process.Start(start)!;
                var stdoutTask = p.StandardOutput.ReadToEndAsync();
                var stderrTask = p.StandardError.ReadToEndAsync();
                p.WaitForExit();
                var elapsed = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                if (p.ExitCode != 0)
                {
                    console.Notice($"whole-process timing skipped: classify exited {p.ExitCode}: {CliConsole.OneLine(stderrTask.Result)}");
                    return null;
                }
                _ = stdoutTask.Result;
                // The first run warms the OS file cache; it is not what a user's second call costs.
                if (i > 0)
                {
                    seconds.Add(elapsed);
                }
            }
            return new ProcessTiming(string.Join(' ', prefix.Prepend(Path.GetFileName(host)).Concat(["classify", "--model", o.Model, "one.png"])), LatencyStats.FromSeconds(seconds));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
