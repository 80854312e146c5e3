using System.Globalization;
using Toolchain.Cli;
using Toolchain.Cli.Output;
using Toolchain.Contracts;
using Toolchain.Inference.Cli.Commands;
using Toolchain.Inference.Cli.Output;
using Toolchain.Inference.Cli.Quantizing;
using Toolchain.Inference.Quantization.Measuring;
using Toolchain.Inference.Runtime;

namespace Toolchain.Inference.Cli.Benchmarking;

/// <summary>
/// <c>infer bench --model A --compare B</c>: both models loaded in one process and timed on the same examples in
/// alternating rounds, so that the drift of a shared machine hits both alike; the table gives each model's median and
/// range and the per-round speed-up, with the CPU and its INT8 instructions.
/// </summary>
internal static class CompareBench
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static int Run(BenchOptions o, OnnxModel model, float[] examples, string source, int[] batchSizes, double? loadAtStart, CliConsole console)
    {
        if (o.Rounds is < 1 or > 1000)
        {
            throw new ToolchainException($"--rounds must be 1 to 1000, not {o.Rounds}");
        }
        using var other = ModelLoader.Load(o.Compare!, o.Provider, o.Threads, console, o.ForeignInput(), verify: !o.NoVerify);
        if (other.FeatureCount != model.FeatureCount || other.ClassCount != model.ClassCount)
        {
            throw new ToolchainException(
                $"--compare {o.Compare}: takes {other.FeatureCount} values and gives {other.ClassCount} classes, but {o.Model} takes {model.FeatureCount} and gives {model.ClassCount}");
        }
        var results = SpeedComparison.Run(model, other, examples, batchSizes, o.Rounds, o.Seconds / o.Rounds);
        var cpu = CpuFeatures.Current();
        var table = new TextTable($"{o.Model} (A) vs {o.Compare} (B) on {ProviderText(model)}, {o.Rounds} interleaved rounds, inputs: {source}",
            "batch", "A examples/s (median, range)", "B examples/s (median, range)", "B/A", "B/A per round").AlignRightFrom(1);
        foreach (var r in results)
        {
            var (lo, hi) = r.SpeedupRange;
            table.AddRow(r.BatchSize.ToString(C), QuantizeReport.Range(r.Baseline), QuantizeReport.Range(r.Candidate),
                r.Speedup.ToString("0.00", C) + "x", $"{lo.ToString("0.00", C)}-{hi.ToString("0.00", C)}x");
        }
        console.Write(table);
        console.Out.WriteLine($"sizes     A {QuantizeReport.Megabytes(new FileInfo(o.Model).Length)}, B {QuantizeReport.Megabytes(new FileInfo(o.Compare!).Length)}");
        console.Out.WriteLine($"cpu       {cpu.Describe()}");
        if (other.Info.Card?.Quantization is { } q)
        {
            console.Out.WriteLine($"verdict   {SpeedVerdict.For(q.Format, results[^1], cpu)}");
        }
        if (loadAtStart > Environment.ProcessorCount)
        {
            console.Out.WriteLine($"NOTE      the machine was busy (load average {loadAtStart.Value.ToString("0.00", C)} on {Environment.ProcessorCount} CPUs): compare the ratios, not the absolute speeds");
        }
        if (o.Out is not null)
        {
            var json = new CompareJson(o.Model, o.Compare!, o.Rounds, source, cpu.Describe(),
                [.. results.Select(r => new CompareBatchJson(r.BatchSize, [.. r.Baseline.Rounds.Select(v => Math.Round(v, 1))],
                    [.. r.Candidate.Rounds.Select(v => Math.Round(v, 1))], Math.Round(r.Speedup, 3)))]);
            AtomicFile.WriteAllText(Path.Combine(o.Out, "infer-bench-compare.json"), CliJson.Serialize(json, CliJson.Indented) + "\n");
            console.Out.WriteLine($"wrote infer-bench-compare.json in {o.Out}");
        }
        return ExitCodes.Ok;
    }

    private static string ProviderText(OnnxModel model) => EnumText.Of(model.ActiveProvider);
}

/// <summary>infer-bench-compare.json; examples per second of each round, per model.</summary>
internal sealed record CompareJson(string ModelA, string ModelB, int Rounds, string Inputs, string Cpu, IReadOnlyList<CompareBatchJson> Batches);

/// <summary>One batch size's rounds.</summary>
internal sealed record CompareBatchJson(int BatchSize, IReadOnlyList<double> ARounds, IReadOnlyList<double> BRounds, double Speedup);
