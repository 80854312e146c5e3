using System.Globalization;
using Toolchain.Contracts;
using Toolchain.Inference.Cli.Output;
using Toolchain.Inference.Quantization;
using Toolchain.Inference.Quantization.Measuring;

namespace Toolchain.Inference.Cli.Quantizing;

/// <summary>The lines <c>infer quantize</c> prints: what was quantized, the accuracy gate, sizes, speeds and the CPU's verdict.</summary>
internal static class QuantizeReport
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static void Print(QuantizationResult r, double maxDrop, CliConsole console)
    {
        var o = console.Out;
        var q = r.Card.Quantization!;
        var how = q.Calibration is { } m
            ? $"{q.Activations} activations, {EnumText.Of(m)} calibration on {CalibrationLoader.Examples(q.CalibrationSamples)} of {q.CalibrationSet}"
            : q.Format == QuantizationFormat.Int8Dynamic ? "weights only, activations at run time" : "whole graph";
        o.WriteLine($"quantized {r.OutputPath} ({EnumText.Of(q.Format)}, {how})");
        o.WriteLine(q.Format == QuantizationFormat.Float16
            ? "nodes     every weight and operator in float16; inputs and outputs float32 (Casts at the edges)"
            : $"nodes     {r.QuantizedNodes.Count} quantized ({Names(r.QuantizedNodes)}); kept float32: {(q.ExcludedNodes.Count > 0 ? string.Join(", ", q.ExcludedNodes) : "none")}");
        if (q.FloatOperators.Count > 0)
        {
            o.WriteLine($"float32   operators not quantized, left in float32: {string.Join(", ", q.FloatOperators)}");
        }
        if (r.Variants.Count > 1)
        {
            o.WriteLine("variants  " + string.Join("; ", r.Variants.Select(v =>
                $"{(v.Excluded.Count == 0 ? "all quantized" : string.Join(", ", v.Excluded) + " in float32")}: {v.Accuracy.ToString("0.0000", C)}" +
                (v.Excluded.SequenceEqual(q.ExcludedNodes) ? " (chosen)" : ""))));
        }
        var change = Math.Round(-r.DropPoints, 2);
        o.WriteLine($"accuracy  float32 {r.Before.Accuracy.ToString("0.0000", C)} -> {r.After.Accuracy.ToString("0.0000", C)} on {q.EvaluatedOn}: " +
            $"{(change > 0 ? "+" : change < 0 ? "-" : "±")}{Math.Abs(change).ToString("0.00", C)} points (--max-drop {maxDrop.ToString("0.0##", C)})");
        o.WriteLine($"agreement same class as float32 on {r.Agreement.Top1.ToString("P1", C)} of {r.Agreement.Examples} examples; " +
            $"probabilities within {r.Agreement.MaxProbabilityDifference.ToString("0.0###", C)}");
        o.WriteLine($"size      {Megabytes(r.FloatBytes)} -> {Megabytes(r.QuantizedBytes)} ({((double)r.FloatBytes / Math.Max(1, r.QuantizedBytes)).ToString("0.0", C)}x smaller)");
        foreach (var s in r.Speeds)
        {
            var (lo, hi) = s.SpeedupRange;
            o.WriteLine($"speed     batch {s.BatchSize}: {Range(s.Baseline)} -> {Range(s.Candidate)} examples/s, " +
                $"{s.Speedup.ToString("0.00", C)}x (rounds {lo.ToString("0.00", C)}-{hi.ToString("0.00", C)}x)");
        }
        o.WriteLine($"cpu       {r.Cpu.Describe()}");
        o.WriteLine($"verdict   {SpeedVerdict.For(q.Format, r.Speeds[^1], r.Cpu)}");
        if (q.Format != QuantizationFormat.Float16 && SpeedVerdict.Warning(r.Cpu) is { } warning)
        {
            console.Notice($"warning: {warning}");
        }
    }

    /// <summary>The median and the range of the rounds, e.g. "5,120 (4,800-5,300)".</summary>
    public static string Range(Throughput t) =>
        $"{t.Median.ToString("N0", C)} ({t.Min.ToString("N0", C)}-{t.Max.ToString("N0", C)})";

    public static string Megabytes(long bytes) => (bytes / 1e6).ToString(bytes < 1e6 ? "0.000" : "0.00", C) + " MB";

    private static string Names(IReadOnlyList<string> names) =>
        names.Count <= 8 ? string.Join(", ", names) : $"{string.Join(", ", names.Take(8))} and {names.Count - 8} more";
}
