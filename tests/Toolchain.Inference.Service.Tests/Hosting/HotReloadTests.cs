using System.Net;
using Toolchain.Inference.Hosting;
using Toolchain.Inference.Service.Tests.Metrics;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Service.Tests.Hosting;

public sealed class HotReloadTests : IDisposable
{
    /// <summary>How long a test waits for what the file watcher or the poller should bring within a second.</summary>
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private readonly TempDir _dir = new();

    /// <summary>Completes with the reason of the next load failure of <paramref name="service"/>'s classifier.</summary>
    private static Task<string> NextFailureAsync(RunningService service)
    {
        var failed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        service.Classifier.LoadFailed += reason => failed.TrySetResult(reason);
        return failed.Task.WaitAsync(Generous);
    }

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Replacing_the_model_file_under_load_fails_no_request_and_the_new_version_is_served_after(bool copyInPlace)
    {
        var path = LabelledTinyModels.Write(_dir.File("model.onnx"), "old ");
        var newFile = LabelledTinyModels.Write(_dir.File("new.onnx.next"), "new ");
        await using var service = await RunningService.StartAsync(path, ("Classifier:Batching:MaxQueueDelayMicroseconds", "500"));
        var oldVersion = service.Classifier.GetStatus().Version!.Id;
        var pngs = Enumerable.Range(0, 10).Select(LabelledTinyModels.Png).ToArray();
        using var stop = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var answered = 0;
        var versions = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        // Each completes once the old (or the new) model has answered 20 requests under this load.
        var oldAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var newAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var swapped = new TaskCompletionSource<ModelVersion>(TaskCreationOptions.RunContinuationsAsynchronously);
        service.Classifier.ModelChanged += v => swapped.TrySetResult(v);

        var workers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            for (var i = w; !stop.IsCancellationRequested; i++)
            {
                var label = i % 10;
                using var response = await service.PostImageAsync(pngs[label]);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.OK || !body.Contains($" {label}\"", StringComparison.Ordinal))
                {
                    failures.Enqueue($"{response.StatusCode}: {body}");
                    continue;
                }
                var json = System.Text.Json.JsonDocument.Parse(body).RootElement;
                var version = json.GetProperty("model_version").GetString()!;
                if (versions.AddOrUpdate(version, 1, (_, n) => n + 1) >= 20)
                {
                    (version == oldVersion ? oldAnswered : newAnswered).TrySetResult();
                }
                Interlocked.Increment(ref answered);
            }
        })).ToArray();
        await oldAnswered.Task.WaitAsync(Generous);

        if (copyInPlace)
        {
            // Like `cp new.onnx model.onnx`: the file is rewritten in place, so a reader may see it half-written.
            File.Copy(newFile, path, overwrite: true);
        }
        else
        {
            File.Move(newFile, path, overwrite: true);
        }
        await swapped.Task.WaitAsync(Generous);
        await newAnswered.Task.WaitAsync(Generous);
        stop.Cancel();
        await Task.WhenAll(workers);

        Assert.Empty(failures);
        var newVersion = service.Classifier.GetStatus().Version!.Id;
        Assert.NotEqual(oldVersion, newVersion);
        Assert.True(versions.GetValueOrDefault(oldVersion) > 0, "no request was answered by the old model");
        Assert.True(versions.GetValueOrDefault(newVersion) > 0, "no request was answered by the new model");
        using var after = await service.PostImageAsync(pngs[7]);
        var answer = await RunningService.JsonAsync(after);
        Assert.Equal("new 7", answer.GetProperty("label").GetString());
        Assert.Equal(newVersion, answer.GetProperty("model_version").GetString());
        Assert.Equal(1, service.Classifier.GetStatus().LiveModelCount);
    }

    [Fact]
    public async Task A_corrupt_replacement_is_ignored_and_the_old_model_keeps_answering()
    {
        var path = LabelledTinyModels.Write(_dir.File("model.onnx"), "old ");
        await using var service = await RunningService.StartAsync(path);
        var version = service.Classifier.GetStatus().Version!.Id;
        var failed = NextFailureAsync(service);

        File.WriteAllBytes(path, [0x08, 0x07, 0xff, 0xff, 0x00, 0x13]);
        await failed;

        // An in-place write may be seen half-done first; each distinct bad content counts once.
        Assert.InRange(service.Classifier.GetStatus().FailedReloadCount, 1, 2);
        using var response = await service.PostImageAsync(LabelledTinyModels.Png(5));
        var json = await RunningService.JsonAsync(response);
        Assert.Equal("old 5", json.GetProperty("label").GetString());
        Assert.Equal(version, json.GetProperty("model_version").GetString());
        var metrics = await Scrape.OfAsync(service.Client);
        Assert.Equal(service.Classifier.GetStatus().FailedReloadCount, metrics.Value("toolchain_model_reload_failures_total"));
    }

    [Fact]
    public async Task A_replacement_that_cannot_classify_images_is_ignored_and_the_old_model_keeps_answering()
    {
        var path = LabelledTinyModels.Write(_dir.File("model.onnx"), "old ");
        await using var service = await RunningService.StartAsync(path);
        var version = service.Classifier.GetStatus().Version!.Id;
        var failed = NextFailureAsync(service);

        var xor = TinyOnnxModels.WriteBinary(_dir.File("xor.onnx.next"));
        File.Move(xor, path, overwrite: true);

        Assert.Contains("is not a 28×28 single-channel image", await failed);
        Assert.Equal(1, service.Classifier.GetStatus().FailedReloadCount);
        Assert.Contains("is not a 28×28 single-channel image", service.Classifier.GetStatus().LastFailure);
        using var response = await service.PostImageAsync(LabelledTinyModels.Png(5));
        var json = await RunningService.JsonAsync(response);
        Assert.Equal("old 5", json.GetProperty("label").GetString());
        Assert.Equal(version, json.GetProperty("model_version").GetString());
        using var ready = await service.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }
}
