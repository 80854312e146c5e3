using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Time.Testing;
using Toolchain.Contracts;
using Toolchain.Inference.Batching;
using Toolchain.Inference.Hosting;
using Toolchain.Inference.Runtime;
using Toolchain.TestSupport;

namespace Toolchain.Inference.Tests.Batching;

/// <summary>
/// Tensor requests (the protocol's raw rows) through the batcher: rows of concurrent requests form one run, limited in
/// rows, and each request gets its own rows of every output back.
/// </summary>
public sealed class TensorBatchingTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private readonly TinyBatchingModel _tiny = new();

    public void Dispose() => _tiny.Dispose();

    private static byte[] Rows(params int[] labels) =>
        MemoryMarshal.AsBytes(labels.SelectMany(LabelledTinyModels.Input).ToArray().AsSpan()).ToArray();

    /// <summary>The predicted class of each row of the "probabilities" output.</summary>
    private static int[] Classes(TensorResult result)
    {
        var index = result.Specs.Select(s => s.Name).ToList().IndexOf("probabilities");
        var values = MemoryMarshal.Cast<byte, float>(result.Outputs[index]).ToArray();
        return Enumerable.Range(0, result.Rows).Select(r => OnnxModel.ArgMax(values.AsSpan(r * 10, 10))).ToArray();
    }

    /// <summary>
    /// A tensor request on a lease of the current model, which is disposed at once, as a caller who gives up would: the
    /// queue holds its own reference to that model.
    /// </summary>
    private Task<TensorResult> Infer(BatchingClassifier batcher, byte[] rows, int count)
    {
        using var lease = _tiny.Source.Acquire();
        return batcher.InferAsync(lease, rows, count);
    }

    private static List<int> RecordBatchSizes(BatchingClassifier batcher, MeterListener listener)
    {
        var sizes = new List<int>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, batcher.Meter) && instrument.Name == InferenceMetrics.BatchSize)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, _, _) =>
        {
            lock (sizes)
            {
                sizes.Add(value);
            }
        });
        listener.Start();
        return sizes;
    }

    [Fact]
    public async Task Rows_of_concurrent_requests_form_one_run_and_each_gets_its_own_rows()
    {
        var time = new FakeTimeProvider();
        await using var batcher = new BatchingClassifier(_tiny.Source, new BatchingOptions { MaxBatchSize = 64, MaxQueueDelayMicroseconds = 1_000_000, Instances = 1 },
            timeProvider: time);
        using var listener = new MeterListener();
        var sizes = RecordBatchSizes(batcher, listener);
        var one = Infer(batcher, Rows(7), 1);
        var two = Infer(batcher, Rows(3, 9), 2);
        var three = Infer(batcher, Rows(0, 5, 2), 3);
        var image = batcher.ClassifyAsync(LabelledTinyModels.Input(4));

        Assert.False(one.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        var results = await Task.WhenAll(one, two, three).WaitAsync(Generous);

        Assert.Equal([7], Classes(results[0]));
        Assert.Equal([3, 9], Classes(results[1]));
        Assert.Equal([0, 5, 2], Classes(results[2]));
        Assert.Equal([1, 2, 3], results.Select(r => r.Rows));
        Assert.All(results, r => Assert.Equal(r.Rows * 40, r.Outputs[0].Length));
        Assert.Equal(4, (await image.WaitAsync(Generous)).Prediction.Label);
        // One gathering: the three tensor requests share a run; the image request runs beside them in its own.
        lock (sizes)
        {
            Assert.Equal([1, 3], sizes.Order());
        }
    }

    [Fact]
    public async Task Batches_are_limited_in_rows()
    {
        var time = new FakeTimeProvider();
        await using var batcher = new BatchingClassifier(_tiny.Source, new BatchingOptions { MaxBatchSize = 4, MaxQueueDelayMicroseconds = 1_000_000, Instances = 1 },
            timeProvider: time);
        using var listener = new MeterListener();
        var sizes = RecordBatchSizes(batcher, listener);

        var first = Infer(batcher, Rows(1, 2, 3), 3);
        var second = Infer(batcher, Rows(4, 5, 6), 3);
        time.Advance(TimeSpan.FromSeconds(1));
        await first.WaitAsync(Generous);
        time.Advance(TimeSpan.FromSeconds(1));
        var results = await Task.WhenAll(first, second).WaitAsync(Generous);

        Assert.Equal([1, 2, 3], Classes(results[0]));
        Assert.Equal([4, 5, 6], Classes(results[1]));
        lock (sizes)
        {
            Assert.Equal([1, 1], sizes);
        }
    }

    [Fact]
    public async Task Tensor_runs_give_the_same_numbers_as_the_float_path()
    {
        await using var batcher = new BatchingClassifier(_tiny.Source, new BatchingOptions { MaxQueueDelayMicroseconds = 0 });
        var result = await Infer(batcher, Rows(6), 1).WaitAsync(Generous);
        var index = result.Specs.Select(s => s.Name).ToList().IndexOf("probabilities");
        Assert.Equal(_tiny.Model.Classify(LabelledTinyModels.Input(6), 1)[0].Probabilities, MemoryMarshal.Cast<byte, float>(result.Outputs[index]).ToArray());
    }
}
