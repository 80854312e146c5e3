using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using CommandLine;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Toolchain.Inference.Cli.Benchmarking;
using Toolchain.Inference.Cli.Output;
using Toolchain.Inference.Imaging;
using Toolchain.Inference.Runtime;
using Toolchain.Shared.Data;
using Toolchain.Shared.Errors;

namespace Toolchain.Inference.Cli.Commands;

[Verb("bench", HelpText = "Measure throughput and latency per batch size, single-image classify from PNG bytes, and whole-process classify time.")]
internal sealed class BenchOptions : ModelOptions
{
    [Option("batch-sizes", Separator = ',', Default = new[] { 1, 64, 1000 }, HelpText = "Comma-separated batch sizes.")]
    public IEnumerable<int> BatchSizes { get; set; } = [1, 64, 1000];

    [Option("seconds", Default = 3.0, HelpText = "Seconds to measure each case.")]
    public double Seconds { get; set; }

    [Option("process-runs", Default = 5, HelpText = "Times to run 'infer classify one.png' as a new process (0 skips it).")]
    public int ProcessRuns { get; set; }

    [Option("data-root", HelpText = "Folder holding the datasets (default: the repository's data/, or $TOOLCHAIN_DATA).")]
    public string? DataRoot { get; set; }

    [Option("out", HelpText = "Folder to write infer-bench.json and infer-bench.md to.")]
    public string? Out { get; set; }
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
        using var model = ModelLoader.Load(o, console);
        var info = model.Info;
        var (examples, firstImage, source) = Examples(model, o, console);
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
            var mode = info.PreprocessingMode is "digit" or "resize" ? info.PreprocessingMode : "digit";
            png = bench.EncodedImage(encoded, new DigitPreprocessor(mode, info.Mean, info.Std));
            if (o.ProcessRuns > 0)
            {
                process = WholeProcess(o, encoded, console);
            }
        }

        var report = new BenchReport(o.Model, model.ActiveProvider, o.Threads, source, rows, png, process);
        console.Write(report.Table());
        foreach (var line in report.Verdicts())
        {
            console.Out.WriteLine(line);
        }
        if (o.Out is not null)
        {
            AtomicFile.WriteAllText(Path.Combine(o.Out, "infer-bench.json"), report.ToJson() + "\n");
            AtomicFile.WriteAllText(Path.Combine(o.Out, "infer-bench.md"), report.ToMarkdown());
            console.Out.WriteLine($"wrote infer-bench.json, infer-bench.md in {o.Out}");
        }
        return InferCli.Ok;
    }

    /// <summary>Model-ready examples: the card's test split when it can be loaded, else seeded random ones.</summary>
    private static (float[] Examples, byte[]? FirstImage, string Source) Examples(OnnxModel model, BenchOptions o, CliConsole console)
    {
        var info = model.Info;
        var width = info.FeatureCount;
        if (info.InputShape.Count == 4 && info.Card?.DatasetName is { Length: > 0 } name)
        {
            try
            {
                var test = DatasetResolver.Load(name, o.DataRoot ?? DataPaths.DefaultRoot(), console.Notice).Test;
                if (test.ImageSize == width && test.Count > 0)
                {
                    var count = Math.Min(test.Count, 10_000);
                    var examples = new float[count * width];
                    PixelNormalizer.Normalize(test.Pixels.AsSpan(0, count * width), info.Mean, info.Std, examples);
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
        if (info.InputShape.Count == 4)
        {
            var pixels = new byte[n * width];
            random.NextBytes(pixels);
            PixelNormalizer.Normalize(pixels, info.Mean, info.Std, data);
            return (data, pixels[..width], "random pixels");
        }
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (float)random.NextDouble();
        }
        return (data, null, "random features");
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

/// <summary>Wall time of a whole classify process.</summary>
internal sealed record ProcessTiming(string Command, LatencyStats Wall);

/// <summary>Bench results with the PyTorch comparison, as a table, JSON and Markdown.</summary>
internal sealed record BenchReport(string Model, string Provider, int Threads, string Inputs, IReadOnlyList<BatchTiming> Batches, LatencyStats? Png, ProcessTiming? Process)
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public TextTable Table()
    {
        var t = new TextTable($"{Model} on {Provider}, {ThreadsText}, inputs: {Inputs}",
            "case", "images/s", "p50 ms", "p99 ms", "ms/image", "PyTorch img/s", "speed-up").AlignRightFrom(1);
        foreach (var b in Batches)
        {
            var torch = PyTorchReference.ImagesPerSecond.TryGetValue(b.BatchSize, out var v) ? v : (double?)null;
            t.AddRow($"batch {b.BatchSize}", b.ImagesPerSecond.ToString("N0", C), b.PerCall.P50Ms.ToString("0.000", C),
                b.PerCall.P99Ms.ToString("0.000", C), b.MsPerImage.ToString("0.0000", C),
                torch?.ToString("N0", C) ?? "", torch is { } tv ? (b.ImagesPerSecond / tv).ToString("0.0", C) + "x" : "");
        }
        if (Png is { } png)
        {
            t.AddRow("1 image from PNG bytes", (1000 / png.MeanMs).ToString("N0", C), png.P50Ms.ToString("0.000", C),
                png.P99Ms.ToString("0.000", C), png.MeanMs.ToString("0.0000", C),
                $"{PyTorchReference.SingleImageMinMs.ToString(C)}-{PyTorchReference.SingleImageMaxMs.ToString(C)} ms",
                (PyTorchReference.SingleImageMinMs / png.P50Ms).ToString("0.0", C) + "x+");
        }
        if (Process is { } p)
        {
            t.AddRow("whole process classify", "", (p.Wall.P50Ms).ToString("0.0", C), p.Wall.P99Ms.ToString("0.0", C), "", "", "");
        }
        return t;
    }

    private string ThreadsText => Threads == 0 ? "threads chosen by ONNX Runtime" : $"{Threads} intra-op thread(s)";

    /// <summary>One line per target of the issue: met or not, with the figures.</summary>
    public IEnumerable<string> Verdicts()
    {
        var target = Batches.FirstOrDefault(b => b.BatchSize == PyTorchReference.ThroughputTargetBatch);
        if (target is not null)
        {
            var factor = target.ImagesPerSecond / PyTorchReference.ImagesPerSecond[PyTorchReference.ThroughputTargetBatch];
            yield return Verdict(factor >= PyTorchReference.ThroughputFactorTarget,
                $"throughput at batch {target.BatchSize}: {factor.ToString("0.0", C)}x PyTorch (target >= {PyTorchReference.ThroughputFactorTarget.ToString(C)}x)");
        }
        var single = Batches.FirstOrDefault(b => b.BatchSize == 1);
        if (single is not null)
        {
            yield return Verdict(single.PerCall.P50Ms <= PyTorchReference.SingleImageTargetMs,
                $"single-image latency (model call): p50 {single.PerCall.P50Ms.ToString("0.000", C)} ms (target <= {PyTorchReference.SingleImageTargetMs.ToString(C)} ms)");
        }
        if (Png is { } png)
        {
            yield return Verdict(png.P50Ms <= PyTorchReference.SingleImageTargetMs,
                $"single-image latency from PNG bytes: p50 {png.P50Ms.ToString("0.000", C)} ms (target <= {PyTorchReference.SingleImageTargetMs.ToString(C)} ms)");
        }
        if (Process is { } p)
        {
            yield return Verdict(p.Wall.P50Ms / 1000 < PyTorchReference.WholeProcessTargetSeconds,
                $"whole-process classify: p50 {(p.Wall.P50Ms / 1000).ToString("0.000", C)} s (target < {PyTorchReference.WholeProcessTargetSeconds.ToString(C)} s)");
        }
    }

    private static string Verdict(bool met, string text) => $"{(met ? "MET   " : "MISSED")} {text}";

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("model", Model);
            w.WriteString("provider", Provider);
            w.WriteNumber("threads", Threads);
            w.WriteString("inputs", Inputs);
            w.WriteString("machine", $"{Environment.ProcessorCount} logical CPUs, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
            w.WriteStartArray("batches");
            foreach (var b in Batches)
            {
                w.WriteStartObject();
                w.WriteNumber("batch_size", b.BatchSize);
                w.WriteNumber("calls", b.Calls);
                w.WriteNumber("images_per_second", Math.Round(b.ImagesPerSecond, 1));
                w.WriteNumber("p50_ms", Math.Round(b.PerCall.P50Ms, 4));
                w.WriteNumber("p99_ms", Math.Round(b.PerCall.P99Ms, 4));
                w.WriteNumber("ms_per_image", Math.Round(b.MsPerImage, 5));
                if (PyTorchReference.ImagesPerSecond.TryGetValue(b.BatchSize, out var torch))
                {
                    w.WriteNumber("pytorch_images_per_second", torch);
                    w.WriteNumber("speedup_vs_pytorch", Math.Round(b.ImagesPerSecond / torch, 2));
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (Png is { } png)
            {
                w.WriteStartObject("single_image_from_png");
                w.WriteNumber("calls", png.Samples);
                w.WriteNumber("p50_ms", Math.Round(png.P50Ms, 4));
                w.WriteNumber("p99_ms", Math.Round(png.P99Ms, 4));
                w.WriteNumber("mean_ms", Math.Round(png.MeanMs, 4));
                w.WriteEndObject();
            }
            if (Process is { } p)
            {
                w.WriteStartObject("whole_process_classify");
                w.WriteString("command", p.Command);
                w.WriteNumber("runs", p.Wall.Samples);
                w.WriteNumber("p50_seconds", Math.Round(p.Wall.P50Ms / 1000, 4));
                w.WriteNumber("max_seconds", Math.Round(p.Wall.P99Ms / 1000, 4));
                w.WriteEndObject();
            }
            w.WriteStartObject("pytorch_reference");
            w.WriteString("source", PyTorchReference.Source);
            foreach (var (batch, ips) in PyTorchReference.ImagesPerSecond.OrderBy(kv => kv.Key))
            {
                w.WriteNumber($"batch_{batch}_images_per_second", ips);
            }
            w.WriteNumber("single_image_ms_min", PyTorchReference.SingleImageMinMs);
            w.WriteNumber("single_image_ms_max", PyTorchReference.SingleImageMaxMs);
            w.WriteEndObject();
            w.WriteStartArray("verdicts");
            foreach (var v in Verdicts())
            {
                w.WriteStringValue(v);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append("# infer bench: ").Append(Model).Append("\n\n");
        sb.Append($"Provider {Provider}, {ThreadsText}, inputs: {Inputs}, {Environment.ProcessorCount} logical CPUs.\n\n");
        var t = Table();
        sb.Append("| ").AppendJoin(" | ", t.Headers).Append(" |\n");
        sb.Append("|").AppendJoin("|", t.Headers.Select((_, i) => t.RightAligned[i] ? "---:" : "---")).Append("|\n");
        foreach (var r in t.Rows)
        {
            sb.Append("| ").AppendJoin(" | ", r).Append(" |\n");
        }
        sb.Append('\n');
        foreach (var v in Verdicts())
        {
            sb.Append("- ").Append(v).Append('\n');
        }
        sb.Append("\nPyTorch reference: ").Append(PyTorchReference.Source).Append(". Not re-measured by `make bench`.\n");
        return sb.ToString();
    }
}
