using System.Globalization;
using System.Text;
using System.Text.Json;
using Toolchain.Inference.Cli.Output;
using PyTorchReference = Toolchain.Shared.Benchmarks.PyTorchReference.Inference;

namespace Toolchain.Inference.Cli.Benchmarking;

/// <summary>Wall time of a whole classify process.</summary>
internal sealed record ProcessTiming(string Command, LatencyStats Wall);

/// <summary>Bench results with the PyTorch comparison, as a table, JSON and Markdown.</summary>
internal sealed record BenchReport(string Model, string Provider, int Threads, string Inputs, IReadOnlyList<BatchTiming> Batches, LatencyStats? Png, ProcessTiming? Process, double? LoadAverage,
    IReadOnlyList<ConcurrencyTiming> Concurrency)
{
    /// <summary>Whether other work competed for the CPUs, so that the figures understate this program.</summary>
    public bool MachineBusy => LoadAverage > Environment.ProcessorCount;

    /// <summary>
    /// Whether the PyTorch figures apply: they were measured on the CPU with 2 threads, so a CUDA run or another
    /// thread count is shown without a speed-up rather than with a misleading one.
    /// </summary>
    public bool ComparableToPyTorch => Provider == "CPU" && Threads == PyTorchReference.Threads;

    private string MachineText =>
        $"{Environment.ProcessorCount} logical CPUs, load average {(LoadAverage is { } l ? l.ToString("0.00", C) : "unknown")} at start";

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public TextTable Table()
    {
        var t = new TextTable($"{Model} on {Provider}, {ThreadsText}, inputs: {Inputs}",
            "case", "images/s", "p50 ms", "p99 ms", "ms/image", "PyTorch img/s", "speed-up").AlignRightFrom(1);
        foreach (var b in Batches)
        {
            var torch = ComparableToPyTorch && PyTorchReference.ImagesPerSecond.TryGetValue(b.BatchSize, out var v) ? v : (double?)null;
            t.AddRow($"batch {b.BatchSize}", b.ImagesPerSecond.ToString("N0", C), b.PerCall.P50Ms.ToString("0.000", C),
                b.PerCall.P99Ms.ToString("0.000", C), b.MsPerImage.ToString("0.0000", C),
                torch?.ToString("N0", C) ?? "", torch is { } tv ? (b.ImagesPerSecond / tv).ToString("0.0", C) + "x" : "");
        }
        if (Png is { } png)
        {
            t.AddRow("1 image from PNG bytes", (1000 / png.MeanMs).ToString("N0", C), png.P50Ms.ToString("0.000", C),
                png.P99Ms.ToString("0.000", C), png.MeanMs.ToString("0.0000", C),
                ComparableToPyTorch ? $"{PyTorchReference.SingleImageMinMs.ToString(C)}-{PyTorchReference.SingleImageMaxMs.ToString(C)} ms" : "",
                ComparableToPyTorch ? (PyTorchReference.SingleImageMinMs / png.P50Ms).ToString("0.0", C) + "x+" : "");
        }
        foreach (var c in Concurrency)
        {
            t.AddRow(ConcurrencyCase(c), c.RequestsPerSecond.ToString("N0", C), c.PerRequest.P50Ms.ToString("0.000", C),
                c.PerRequest.P99Ms.ToString("0.000", C), "", "", "");
        }
        if (Process is { } p)
        {
            t.AddRow("whole process classify", "", (p.Wall.P50Ms).ToString("0.0", C), p.Wall.P99Ms.ToString("0.0", C), "", "", "");
        }
        return t;
    }

    private static string ConcurrencyCase(ConcurrencyTiming c) => c.Batched
        ? $"{c.Callers} callers, batched ({c.Threads} thr, mean batch {c.MeanBatchSize.ToString("0.0", C)})"
        : $"{c.Callers} callers, unbatched ({c.Threads} thr)";

    /// <summary>Batched over unbatched requests per second, when both were timed.</summary>
    public double? BatchingGain =>
        Concurrency.FirstOrDefault(c => c.Batched) is { } on && Concurrency.FirstOrDefault(c => !c.Batched) is { RequestsPerSecond: > 0 } off
            ? on.RequestsPerSecond / off.RequestsPerSecond
            : null;

    private string ThreadsText => Threads == 0 ? "threads chosen by ONNX Runtime" : $"{Threads} intra-op thread(s)";

    /// <summary>One line per target of the issue: met or not, with the figures.</summary>
    public IEnumerable<string> Verdicts()
    {
        if (MachineBusy)
        {
            yield return $"NOTE   the machine was busy ({MachineText}): throughput and p99 figures understate infer";
        }
        if (!ComparableToPyTorch)
        {
            yield return $"NOTE   the PyTorch figures are CPU with {PyTorchReference.Threads} threads; run --provider cpu --threads {PyTorchReference.Threads} to compare";
        }
        var target = Batches.FirstOrDefault(b => b.BatchSize == PyTorchReference.ThroughputTargetBatch);
        if (target is not null && ComparableToPyTorch)
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

    /// <summary>Lines that report a figure without a target.</summary>
    public IEnumerable<string> Notes()
    {
        if (BatchingGain is { } gain)
        {
            yield return $"NOTE   dynamic batching with {Concurrency[0].Callers} concurrent callers: {gain.ToString("0.00", C)}x the unbatched requests/s (in process, no HTTP)";
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
            w.WriteString("machine", $"{MachineText}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
            w.WriteBoolean("machine_busy", MachineBusy);
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
                if (ComparableToPyTorch && PyTorchReference.ImagesPerSecond.TryGetValue(b.BatchSize, out var torch))
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
            if (Concurrency.Count > 0)
            {
                w.WriteStartArray("concurrent_callers");
                foreach (var c in Concurrency)
                {
                    w.WriteStartObject();
                    w.WriteBoolean("batched", c.Batched);
                    w.WriteNumber("callers", c.Callers);
                    w.WriteNumber("intra_op_threads", c.Threads);
                    w.WriteNumber("requests_per_second", Math.Round(c.RequestsPerSecond, 1));
                    w.WriteNumber("p50_ms", Math.Round(c.PerRequest.P50Ms, 4));
                    w.WriteNumber("p99_ms", Math.Round(c.PerRequest.P99Ms, 4));
                    w.WriteNumber("mean_batch_size", Math.Round(c.MeanBatchSize, 2));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                if (BatchingGain is { } gain)
                {
                    w.WriteNumber("batching_gain", Math.Round(gain, 3));
                }
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
            foreach (var v in Verdicts().Concat(Notes()))
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
        sb.Append($"Provider {Provider}, {ThreadsText}, inputs: {Inputs}, {MachineText}.\n\n");
        var t = Table();
        sb.Append("| ").AppendJoin(" | ", t.Headers).Append(" |\n");
        sb.Append("|").AppendJoin("|", t.Headers.Select((_, i) => t.RightAligned[i] ? "---:" : "---")).Append("|\n");
        foreach (var r in t.Rows)
        {
            sb.Append("| ").AppendJoin(" | ", r).Append(" |\n");
        }
        sb.Append('\n');
        foreach (var v in Verdicts().Concat(Notes()))
        {
            sb.Append("- ").Append(v).Append('\n');
        }
        sb.Append("\nPyTorch reference: ").Append(PyTorchReference.Source).Append(". Not re-measured by `make bench`.\n");
        return sb.ToString();
    }
}
