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
/// A graph whose batch axis is fixed (exported at batch 1 or 3, as models from other tools often are) behind the
/// batcher: a batch never holds more rows than the graph takes, runs of fewer are filled up, and every request gets
/// its own answer (issue 21: 193 of 200 concurrent requests got 400 when batches merged past the graph's size).
/// </summary>
public sealed class FixedBatchBatchingTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private FixedLeaseSource Load(int fixedBatch) => new(OnnxModel.Load(
        TinyOnnxModels.WriteImageClassifier(_dir.File($"b{fixedBatch}.onnx"), fixedBatch: fixedBatch),
        new OnnxModelOptions { Provider = ExecutionProvider.Cpu, IntraOpThreads = 1 }), ownsModel: true);

    private static byte[] Rows(params int[] labels) =>
        MemoryMarshal.AsBytes(labels.SelectMany(l => TinyOnnxModels.ImageForClass(l)).ToArray().AsSpan()).ToArray();

    private static Task<TensorResult> Infer(BatchingClassifier batcher, ILeaseSource source, byte[] rows, int count)
    {
        using var lease = source.Acquire();
        return batcher.InferAsync(lease, rows, count);
    }

    private static int[] Classes(TensorResult result)
    {
        var index = result.Specs.Select(s => s.Name).ToList().IndexOf("probabilities");
        var values = MemoryMarshal.Cast<byte, float>(result.Outputs[index]).ToArray();
        return Enumerable.Range(0, result.Rows).Select(r => OnnxModel.ArgMax(values.AsSpan(r * 10, 10))).ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Batches_hold_no_more_rows_than_the_graph_takes_and_every_request_gets_its_answer(int fixedBatch)
    {
        using var source = Load(fixedBatch);
        var time = new FakeTimeProvider();
        await using var batcher = new BatchingClassifier(source, new BatchingOptions { MaxBatchSize = 64, MaxQueueDelayMicroseconds = 1_000_000, Instances = 1 },
            timeProvider: time);
        var sizes = new List<int>();
        using var listener = new MeterListener();
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

        var tensors = Enumerable.Range(0, 7).Select(label => Infer(batcher, source, Rows(label), 1)).ToArray();
        var examples = Enumerable.Range(7, 3).Select(label => batcher.ClassifyAsync(TinyOnnxModels.ImageForClass(label))).ToArray();
        time.Advance(TimeSpan.FromSeconds(1));

        var tensorResults = await Task.WhenAll(tensors).WaitAsync(Generous);
        var exampleResults = await Task.WhenAll(examples).WaitAsync(Generous);
        Assert.Equal(Enumerable.Range(0, 7), tensorResults.Select(r => Assert.Single(Classes(r))));
        Assert.Equal([7, 8, 9], exampleResults.Select(r => r.Prediction.Label));
        lock (sizes)
        {
            Assert.Equal(10, sizes.Sum());
            Assert.All(sizes, size => Assert.InRange(size, 1, fixedBatch));
            if (fixedBatch > 1)
            {
                // Batching still happens, up to the graph's size.
                Assert.Contains(fixedBatch, sizes);
            }
        }
    }

    [Fact]
    public void Runs_of_fewer_rows_than_the_graph_takes_are_filled_up_and_answer_only_the_real_rows()
    {
        using var source = Load(3);
        using var lease = source.Acquire();
        var model = lease.Model;

        var outputs = model.RunTensors(Rows(4, 8), 2);
        var five = model.Classify([.. new[] { 1, 2, 3, 4, 5 }.SelectMany(l => TinyOnnxModels.ImageForClass(l))], 5);

        var index = model.OutputSpecs.Select(s => s.Name).ToList().IndexOf("probabilities");
        Assert.Equal(2 * 10 * sizeof(float), outputs[index].Length);
        var values = MemoryMarshal.Cast<byte, float>(outputs[index]).ToArray();
        Assert.Equal([4, 8], new[] { OnnxModel.ArgMax(values.AsSpan(0, 10)), OnnxModel.ArgMax(values.AsSpan(10, 10)) });
        Assert.Equal([1, 2, 3, 4, 5], five.Select(p => p.Label));
    }
}
