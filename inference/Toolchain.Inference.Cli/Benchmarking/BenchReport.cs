using System.Globalization;
using System.Text;
using Toolchain.Contracts;
using Toolchain.Inference.Cli.Output;

namespace Toolchain.Inference.Cli.Benchmarking;

/// <summary>Wall time of a whole classify process.</summary>
internal sealed record ProcessTiming(string Command, LatencyStats Wall);

/// <summary>Bench results with the PyTorch comparison, as a table, JSON and Markdown.</summary>
internal sealed record BenchReport(string Model, ExecutionProvider Provider, int Threads, string Inputs, IReadOnlyList<BatchTiming> Batches, LatencyStats? Png, ProcessTiming? Process, double? LoadAverage,
    IReadOnlyList<ConcurrencyTiming> Concurrency)
{
    /// <summary>Whether other work competed for the CPUs, so that the figures understate this program.</summary>
    public bool MachineBusy => LoadAverage > Environment.ProcessorCount;

    /// <summary>
    /// Whether the PyTorch figures apply: they were measured on the CPU with 2 threads, so a CUDA run or another
    /// thread count is shown without a speed-up rather than with a misleading one.
    /// </summary>
    public bool ComparableToPyTorch => Provider == ExecutionProvider.Cpu && Threads == PyTorchReference.Threads;

    private string MachineText =>
        $"{Environment.ProcessorCount} logical CPUs, load average {(LoadAverage is { } l ? l.ToString("0.00", C) : "unknown")} at start";

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public TextTable Table()
    {
        var t = new TextTable($"{Model} on {EnumText.Of(Provider)}, {ThreadsText}, inputs: {Inputs}",
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

    /// <summary>infer-bench.json.</summary>
    public string ToJson()
    {
        // The recorded figures under names a reader can take one by one (batch_64_images_per_second, ...).
        var torch = new Dictionary<string, object>(StringComparer.Ordinal) { ["source"] = PyTorchReference.Source };
        foreach (var (batch, ips) in PyTorchReference.ImagesPerSecond.OrderBy(kv => kv.Key))
        {
            torch[$"batch_{batch}_images_per_second"] = ips;
        }
        torch["single_image_ms_min"] = PyTorchReference.SingleImageMinMs;
        torch["single_image_ms_max"] = PyTorchReference.SingleImageMaxMs;
        var json = new BenchReportJson(Model, Provider, Threads, Inputs,
            $"{MachineText}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}", MachineBusy,
            [.. Batches.Select(b =>
            {
                double? reference = ComparableToPyTorch && PyTorchReference.ImagesPerSecond.TryGetValue(b.BatchSize, out var v) ? v : null;
                return new BatchJson(b.BatchSize, b.Calls, Math.Round(b.ImagesPerSecond, 1), Math.Round(b.PerCall.P50Ms, 4),
                    Math.Round(b.PerCall.P99Ms, 4), Math.Round(b.MsPerImage, 5), reference, reference is { } r ? Math.Round(b.ImagesPerSecond / r, 2) : null);
            })],
            Png is { } png ? new PngJson(png.Samples, Math.Round(png.P50Ms, 4), Math.Round(png.P99Ms, 4), Math.Round(png.MeanMs, 4)) : null,
            Process is { } p ? new ProcessJson(p.Command, p.Wall.Samples, Math.Round(p.Wall.P50Ms / 1000, 4), Math.Round(p.Wall.P99Ms / 1000, 4)) : null,
            Concurrency.Count == 0 ? null : [.. Concurrency.Select(c => new CallersJson(c.Batched, c.Callers, c.Threads, Math.Round(c.RequestsPerSecond, 1),
                Math.Round(c.PerRequest.P50Ms, 4), Math.Round(c.PerRequest.P99Ms, 4), Math.Round(c.MeanBatchSize, 2)))],
            Concurrency.Count > 0 && BatchingGain is { } gain ? Math.Round(gain, 3) : null,
            torch,
            [.. Verdicts().Concat(Notes())]);
        return CliJson.Serialize(json, CliJson.Indented);
    }

    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append("# infer bench: ").Append(Model).Append("\n\n");
        sb.Append($"Provider {EnumText.Of(Provider)}, {ThreadsText}, inputs: {Inputs}, {MachineText}.\n\n");
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

/// <summary>infer-bench.json; the property names, in snake_case, are the file's field names.</summary>
internal sealed record BenchReportJson(string Model, ExecutionProvider Provider, int Threads, string Inputs, string Machine, bool MachineBusy,
    IReadOnlyList<BatchJson> Batches, PngJson? SingleImageFromPng, ProcessJson? WholeProcessClassify, IReadOnlyList<CallersJson>? ConcurrentCallers,
    double? BatchingGain, Dictionary<string, object> PytorchReference, IReadOnlyList<string> Verdicts);

/// <summary>One batch size's timing; the PyTorch figures only where they apply.</summary>
internal sealed record BatchJson(int BatchSize, int Calls, double ImagesPerSecond, double P50Ms, double P99Ms, double MsPerImage,
    double? PytorchImagesPerSecond, double? SpeedupVsPytorch);

/// <summary>Single-image classify from PNG bytes.</summary>
internal sealed record PngJson(int Calls, double P50Ms, double P99Ms, double MeanMs);

/// <summary>Whole <c>infer classify</c> processes; max is the slowest run.</summary>
internal sealed record ProcessJson(string Command, int Runs, double P50Seconds, double MaxSeconds);

/// <summary>Concurrent single-image callers, batched or not.</summary>
internal sealed record CallersJson(bool Batched, int Callers, int IntraOpThreads, double RequestsPerSecond, double P50Ms, double P99Ms, double MeanBatchSize);
