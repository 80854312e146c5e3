using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Toolchain.Contracts;
using Toolchain.Inference.Batching;
using Toolchain.Inference.Hosting;
using Toolchain.Inference.Runtime;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Tests.Hosting;

public sealed class ReloadingModelHostTests : IDisposable
{
    private static readonly TimeSpan SwapTimeout = TimeSpan.FromSeconds(15);
    private readonly TempFolder _dir = new();
    private readonly string _path;

    public ReloadingModelHostTests() => _path = LabelledTinyModels.Write(_dir.File("model.onnx"), "a");

    public void Dispose() => _dir.Dispose();

    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private ReloadingModelHost NewHost(bool watcher = true, CapturingLogger? logger = null, TimeProvider? time = null) => new(_path,
        new OnnxModelOptions { Provider = ExecutionProvider.Cpu, IntraOpThreads = 1 },
        new ModelReloadOptions { UseFileWatcher = watcher, Debounce = Debounce, PollInterval = PollInterval },
        logger, timeProvider: time);

    private static async Task<ModelVersion> NextVersionAsync(ReloadingModelHost host, Action change)
    {
        var changed = new TaskCompletionSource<ModelVersion>(TaskCreationOptions.RunContinuationsAsynchronously);
        host.ModelChanged += v => changed.TrySetResult(v);
        change();
        return await changed.Task.WaitAsync(SwapTimeout);
    }

    private static string LabelOf(ModelLease lease, int label) => lease.Model.Classify(LabelledTinyModels.Input(label), 1)[0].LabelName;

    [Fact]
    public async Task The_first_load_makes_the_host_ready_with_the_files_hash_as_version()
    {
        using var host = NewHost();
        Assert.False(host.IsReady);
        await host.StartAsync();

        Assert.True(host.IsReady);
        using var lease = host.Acquire();
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(_path)));
        Assert.Equal(expected, lease.Version.Sha256);
        Assert.Equal(expected[..12], lease.Version.Id);
        Assert.Equal(1, lease.Version.Generation);
        Assert.Equal("a3", LabelOf(lease, 3));
    }

    [Fact]
    public async Task Replacing_the_file_swaps_in_the_new_model_for_later_leases()
    {
        using var host = NewHost();
        await host.StartAsync();
        var before = host.Version!;

        var after = await NextVersionAsync(host, () => LabelledTinyModels.Replace(_path, "b"));

        Assert.NotEqual(before.Sha256, after.Sha256);
        Assert.Equal(2, after.Generation);
        using var lease = host.Acquire();
        Assert.Equal(after, lease.Version);
        Assert.Equal("b7", LabelOf(lease, 7));
        Assert.Equal(1, host.ReloadCount);
    }

    [Fact]
    public async Task A_lease_taken_before_a_swap_keeps_its_model_until_disposed_and_then_the_old_session_is_disposed()
    {
        using var host = NewHost();
        await host.StartAsync();
        var old = host.Acquire();
        var oldModel = old.Model;

        await NextVersionAsync(host, () => LabelledTinyModels.Replace(_path, "b"));

        Assert.Equal("a5", LabelOf(old, 5));
        Assert.Equal(2, host.LiveModelCount);
        old.Dispose();
        Assert.Equal(1, host.LiveModelCount);
        Assert.Throws<ObjectDisposedException>(() => oldModel.Classify(LabelledTinyModels.Input(5), 1));
        old.Dispose();
        Assert.Equal(1, host.LiveModelCount);
    }

    [Fact]
    public async Task An_invalid_new_file_is_logged_and_ignored_and_the_old_model_keeps_serving()
    {
        var logger = new CapturingLogger();
        using var host = NewHost(watcher: false, logger: logger);
        await host.StartAsync();
        var before = host.Version;

        File.WriteAllBytes(_path + ".next", "this is not an onnx model"u8.ToArray());
        File.Move(_path + ".next", _path, overwrite: true);

        Assert.False(host.CheckForChange());
        Assert.Equal(before, host.Version);
        Assert.Equal(1, host.FailedReloadCount);
        Assert.Contains(_path, host.LastFailure);
        var warning = Assert.Single(logger.Lines, l => l.Level == LogLevel.Warning);
        Assert.Contains(_path, warning.Message);
        Assert.Contains(before!.Id, warning.Message);
        using var lease = host.Acquire();
        Assert.Equal("a2", LabelOf(lease, 2));
        // The same bad file is not retried (or logged again) on every check.
        Assert.False(host.CheckForChange());
        Assert.Equal(1, host.FailedReloadCount);
        Assert.Single(logger.Lines, l => l.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task Polling_notices_the_change_when_file_notifications_are_off_and_loads_it_after_the_debounce()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        using var host = NewHost(watcher: false, time: time);
        await host.StartAsync();
        var before = host.Version!;
        LabelledTinyModels.Replace(_path, "p");

        // The timers fire inside Advance, on this thread: the poll sees the new stamp, then the debounce loads the file.
        time.Advance(PollInterval);
        Assert.Equal(before, host.Version);
        time.Advance(Debounce - TimeSpan.FromTicks(1));
        Assert.Equal(before, host.Version);
        time.Advance(TimeSpan.FromTicks(1));

        using var lease = host.Acquire();
        Assert.Equal(2, lease.Version.Generation);
        Assert.Equal(time.GetUtcNow(), lease.Version.LoadedAt);
        Assert.Equal("p0", LabelOf(lease, 0));
    }

    [Fact]
    public async Task A_missing_file_leaves_the_host_not_ready_until_a_valid_file_appears()
    {
        File.Delete(_path);
        using var host = NewHost(watcher: false);
        await host.StartAsync();

        Assert.False(host.IsReady);
        var error = Assert.Throws<ModelNotReadyException>(() => host.Acquire());
        Assert.Contains(_path, error.Message);
        Assert.Contains("no such file", error.Message);

        var version = await NextVersionAsync(host, () => LabelledTinyModels.Replace(_path, "late"));

        Assert.True(host.IsReady);
        Assert.Equal(1, version.Generation);
    }

    [Fact]
    public void Acquire_before_start_fails_at_once_saying_so_and_loads_nothing()
    {
        using var host = NewHost();

        var error = Assert.Throws<ModelNotReadyException>(() => host.Acquire());

        Assert.Contains(_path, error.Message);
        Assert.Contains(nameof(ReloadingModelHost.StartAsync), error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.False(host.IsReady);
        Assert.Equal(0, host.LiveModelCount);
    }

    [Fact]
    public async Task A_request_while_the_first_load_runs_fails_at_once_and_the_load_goes_on_in_the_background()
    {
        using var stalled = new StalledModelFile(_dir.File("stalled.onnx"));
        using var host = new ReloadingModelHost(stalled.Path, new OnnxModelOptions { Provider = ExecutionProvider.Cpu },
            new ModelReloadOptions { UseFileWatcher = false, PollInterval = TimeSpan.FromHours(1) });

        var loading = host.StartAsync();
        var error = Assert.Throws<ModelNotReadyException>(() => host.Acquire());

        Assert.Contains(stalled.Path, error.Message);
        Assert.Contains("still loading", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.False(loading.IsCompleted);
        await stalled.ReleaseAsync();
        await loading.WaitAsync(SwapTimeout);
        // The pipe was no model; now the reason is the failure, and a real file is picked up by the next check.
        Assert.Contains("named pipe", Assert.Throws<ModelNotReadyException>(() => host.Acquire()).Message);
        File.Delete(stalled.Path);
        LabelledTinyModels.Write(stalled.Path, "late");
        Assert.True(host.CheckForChange());
        using var lease = host.Acquire();
        Assert.Equal("late4", LabelOf(lease, 4));
    }

    [Fact]
    public async Task Requests_running_across_repeated_swaps_never_fail_and_end_on_the_last_model()
    {
        using var host = NewHost();
        await host.StartAsync();
        await using var batcher = new BatchingClassifier(host, new BatchingOptions { MaxBatchSize = 16 });
        using var stop = new CancellationTokenSource();
        var failures = 0;
        var answered = 0;
        // answeredBy[g] completes once some request has been answered by generation g.
        var answeredBy = Enumerable.Range(0, 6).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var i = w;
            while (!stop.IsCancellationRequested)
            {
                var label = i++ % 10;
                try
                {
                    var result = await batcher.ClassifyAsync(LabelledTinyModels.Input(label));
                    // Whatever model answered, it must answer this input's own class.
                    if (result.Prediction.Label != label || !result.Prediction.LabelName.EndsWith(label.ToString(), StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref failures);
                    }
                    answeredBy[result.Version.Generation].TrySetResult();
                    Interlocked.Increment(ref answered);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();

        for (var swap = 1; swap <= 4; swap++)
        {
            // Each model serves some requests before it is replaced.
            await answeredBy[swap].Task.WaitAsync(SwapTimeout);
            await NextVersionAsync(host, () => LabelledTinyModels.Replace(_path, $"v{swap}-"));
        }
        await answeredBy[5].Task.WaitAsync(SwapTimeout);
        stop.Cancel();
        await Task.WhenAll(workers);

        Assert.Equal(0, failures);
        Assert.True(answered >= 5, $"only {answered} requests answered");
        Assert.Equal(4, host.ReloadCount);
        Assert.Equal(1, host.LiveModelCount);
        var last = await batcher.ClassifyAsync(LabelledTinyModels.Input(6));
        Assert.Equal("v4-6", last.Prediction.LabelName);
        Assert.Equal(host.Version, last.Version);
    }
}
