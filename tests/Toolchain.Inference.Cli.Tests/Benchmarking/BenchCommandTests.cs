using System.Text.Json;
using Toolchain.Inference.Cli.Benchmarking;

namespace Toolchain.Inference.Cli.Tests.Benchmarking;

public sealed class BenchCommandTests : IDisposable
{
    private readonly TestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Bench_times_each_batch_size_and_png_classify_and_writes_json_and_markdown()
    {
        var model = _files.ImageModel();
        var outDir = _files.PathOf("bench");

        var r = CliRun.Infer("bench", "--model", model, "--batch-sizes", "1,64", "--seconds", "0.05", "--process-runs", "0",
            "--threads", "2", "--provider", "cpu", "--out", outDir);

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("batch 1 ", r.Out);
        Assert.Contains("batch 64", r.Out);
        Assert.Contains("1 image from PNG bytes", r.Out);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "infer-bench.json")));
        var batches = json.RootElement.GetProperty("batches").EnumerateArray().ToArray();
        Assert.Equal([1, 64], batches.Select(b => b.GetProperty("batch_size").GetInt32()));
        Assert.All(batches, b => Assert.True(b.GetProperty("images_per_second").GetDouble() > 0));
        Assert.Equal(2360, batches[1].GetProperty("pytorch_images_per_second").GetDouble());
        Assert.True(json.RootElement.GetProperty("single_image_from_png").GetProperty("p50_ms").GetDouble() > 0);
        Assert.StartsWith("# infer bench", File.ReadAllText(Path.Combine(outDir, "infer-bench.md")));
    }

    [Fact]
    public void Bench_compares_with_pytorch_only_on_the_cpu_with_its_two_threads()
    {
        var outDir = _files.PathOf("bench-1-thread");

        var r = CliRun.Infer("bench", "--model", _files.ImageModel(), "--batch-sizes", "1000", "--seconds", "0.05",
            "--process-runs", "0", "--threads", "1", "--provider", "cpu", "--out", outDir);

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("NOTE   the PyTorch figures are CPU with 2 threads", r.Out);
        Assert.DoesNotContain("x PyTorch", r.Out);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "infer-bench.json")));
        var batch = json.RootElement.GetProperty("batches").EnumerateArray().Single();
        Assert.False(batch.TryGetProperty("speedup_vs_pytorch", out _));
    }

    [Fact]
    public void Bench_times_concurrent_callers_unbatched_and_batched_and_reports_the_gain()
    {
        var outDir = _files.PathOf("bench-concurrency");

        var r = CliRun.Infer("bench", "--model", _files.ImageModel(), "--batch-sizes", "1", "--seconds", "0.2",
            "--process-runs", "0", "--provider", "cpu", "--concurrency", "16", "--out", outDir);

        Assert.Equal(0, r.ExitCode);
        Assert.Matches(@"16 callers, unbatched \(1 thr\)\s+[\d,]+", r.Out);
        Assert.Matches(@"16 callers, batched \(\d+ thr, mean batch \d+\.\d\)\s+[\d,]+", r.Out);
        Assert.Matches(@"NOTE   dynamic batching with 16 concurrent callers: \d+\.\d\dx the unbatched requests/s", r.Out);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "infer-bench.json")));
        var callers = json.RootElement.GetProperty("concurrent_callers").EnumerateArray().ToArray();
        Assert.Equal([false, true], callers.Select(c => c.GetProperty("batched").GetBoolean()));
        Assert.All(callers, c => Assert.Equal(16, c.GetProperty("callers").GetInt32()));
        Assert.All(callers, c => Assert.True(c.GetProperty("requests_per_second").GetDouble() > 0));
        Assert.Equal(1, callers[0].GetProperty("mean_batch_size").GetDouble());
        Assert.InRange(callers[1].GetProperty("mean_batch_size").GetDouble(), 1, 16);
        var gain = json.RootElement.GetProperty("batching_gain").GetDouble();
        // The JSON keeps the gain to 3 decimals, the rates to 1.
        var ratio = callers[1].GetProperty("requests_per_second").GetDouble() / callers[0].GetProperty("requests_per_second").GetDouble();
        Assert.InRange(gain, ratio - 0.002, ratio + 0.002);
    }

    [Fact]
    public void Bench_with_concurrency_zero_skips_the_concurrent_case()
    {
        var outDir = _files.PathOf("bench-no-concurrency");

        var r = CliRun.Infer("bench", "--model", _files.ImageModel(), "--batch-sizes", "1", "--seconds", "0.05",
            "--process-runs", "0", "--provider", "cpu", "--concurrency", "0", "--out", outDir);

        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain("callers", r.Out);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "infer-bench.json")));
        Assert.False(json.RootElement.TryGetProperty("concurrent_callers", out _));
    }

    [Fact]
    public void Bench_refuses_a_negative_concurrency()
    {
        var r = CliRun.Infer("bench", "--model", _files.ImageModel(), "--concurrency", "-1");

        Assert.Equal(1, r.ExitCode);
        r.AssertOneErrorLineNaming("--concurrency", "[0, 4096]", "-1");
    }

    [Fact]
    public void Bench_refuses_a_zero_batch_size()
    {
        var r = CliRun.Infer("bench", "--model", _files.ImageModel(), "--batch-sizes", "0");

        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("infer: --batch-sizes", r.ErrorLines.Single());
    }

    [Fact]
    public void Percentiles_interpolate_between_ranks_like_numpy()
    {
        var sorted = new[] { 1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

        Assert.Equal(5.5, LatencyStats.Percentile(sorted, 0.5), 12);
        Assert.Equal(9.91, LatencyStats.Percentile(sorted, 0.99), 12);
        Assert.Equal(1, LatencyStats.Percentile(sorted, 0), 12);
    }
}
